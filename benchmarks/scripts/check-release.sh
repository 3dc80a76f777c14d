#!/usr/bin/env bash
# The release checks that take two builds. Builds the working tree twice, from two copies in different
# directories, each with a real `mvn deploy` into a file repository of its own (tests skipped), then checks that
#   - what deploy uploaded is exactly what benchmarks/src/it/release-artifacts.txt lists (ReleaseArtifactsIT
#     checks the same list against what the ordinary build installs under target/release-repo), and
#   - every uploaded jar and pom is byte-identical in the two builds (sha256): the build is reproducible.
#
#   benchmarks/scripts/check-release.sh [MVN ARGS...]       about two plain builds' time; needs no root
#
# Uses the JDK the launcher finds and the Maven on the PATH, with a local repository of its own (a temporary
# directory, removed at the end) that takes the plugins and libraries from the user's local repository: nothing
# is installed or cached into the user's. Not offline: the deploy plugin refuses to run with -o, even into a
# file repository (nothing is downloaded when the user's local repository has everything).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="$("$repo/tracepoint" --java-home)"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
command -v mvn >/dev/null 2>&1 || { echo "check-release: Maven is needed (apt-get install maven)" >&2; exit 1; }
list="$repo/benchmarks/src/it/release-artifacts.txt"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$repo/pom.xml" | head -n 1)"

work="$(mktemp -d "${TMPDIR:-/tmp}/tracepoint-release-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log() { echo "check-release: $*" >&2; }

# the user's local repository, read-only here: releases only (so never a snapshot of this project)
user_repo="$HOME/.m2/repository"
if [ -f "$HOME/.m2/settings.xml" ]; then
    configured="$(sed -n 's:.*<localRepository>\(.*\)</localRepository>.*:\1:p' "$HOME/.m2/settings.xml" | head -n 1)"
    [ -n "$configured" ] && user_repo="$configured"
fi
repository="<id>user-local-repository</id><url>file://$user_repo</url>
      <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots>"
cat > "$work/settings.xml" <<EOF
<settings>
  <localRepository>$work/local-repo</localRepository>
  <profiles><profile>
    <id>user-local-repository</id>
    <repositories><repository>$repository</repository></repositories>
    <pluginRepositories><pluginRepository>$repository</pluginRepository></pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>user-local-repository</activeProfile></activeProfiles>
</settings>
EOF

# the files of the working tree that git knows or would add (not target/ or anything else ignored)
sources() {
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
        while IFS= read -r -d '' f; do [ -e "$repo/$f" ] && printf '%s\0' "$f"; done
}

# deployed ARTIFACT FILES of repository $1, one "groupId:artifactId:extension[:classifier] path" a line
deployed() {
    (cd "$1" && find . -type f ! -name 'maven-metadata*' ! -name '*.md5' ! -name '*.sha1' ! -name '*.sha256' \
        ! -name '*.sha512' ! -name '*.asc' | sed 's:^\./::' | sort) |
    while read -r path; do
        local name vdir adir group artifact v rest classifier ext
        name="${path##*/}"; vdir="${path%/*}"; adir="${vdir%/*}"
        v="${vdir##*/}"; artifact="${adir##*/}"; group="$(echo "${adir%/*}" | tr / .)"
        if [ "$v" != "$version" ]; then
            echo "unexpected-version:$path $path"; continue
        fi
        # a snapshot is uploaded as A-0.1.0-20261204.123456-1[-classifier].ext
        rest="$(echo "$name" | sed -E "s/^$artifact-${v%-SNAPSHOT}-[0-9]{8}\.[0-9]{6}-[0-9]+/$artifact-$v/")"
        rest="${rest#"$artifact-$v"}"
        ext="${rest#*.}"; classifier="${rest%%.*}"; classifier="${classifier#-}"
        echo "$group:$artifact:$ext${classifier:+:$classifier} $path"
    done
}

start=$(date +%s)
for build in one two; do
    mkdir -p "$work/$build/src"
    sources | (cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$work/$build/src"
    log "build $build: mvn deploy in $work/$build/src"
    if ! (cd "$work/$build/src" && mvn -B -ntp -q -Dstyle.color=never -s "$work/settings.xml" -DskipTests \
            -DaltDeploymentRepository="release-check::file://$work/$build/repo" "$@" deploy) >"$work/$build.log" 2>&1; then
        tail -n 60 "$work/$build.log" >&2
        log "build $build failed (above)"
        exit 1
    fi
    deployed "$work/$build/repo" > "$work/$build.deployed"
done

failed=0

# 1. exactly the listed artifacts
javadoc="$(sed -n 's/^javadoc: *\([a-z]*\).*/\1/p' "$list")"
grep -v '^#' "$list" | grep -v '^javadoc:' | sed 's/ *#.*//; /^$/d' | sort > "$work/expected"
cut -d' ' -f1 "$work/one.deployed" | sort > "$work/actual"
extra="$(comm -13 "$work/expected" "$work/actual")"
missing="$(comm -23 "$work/expected" "$work/actual")"
if [ "$javadoc" = optional ]; then
    missing="$(echo "$missing" | grep -v ':javadoc$' || true)"
fi
if [ -n "$extra" ]; then
    log "deployed but not a deliverable ($list):"; echo "$extra" | sed 's/^/  /' >&2; failed=1
fi
if [ -n "$missing" ]; then
    log "a deliverable that was not deployed:"; echo "$missing" | sed 's/^/  /' >&2; failed=1
fi
if ! cmp -s <(cut -d' ' -f1 "$work/one.deployed") <(cut -d' ' -f1 "$work/two.deployed"); then
    log "the two builds deployed different artifacts:"; diff <(cut -d' ' -f1 "$work/one.deployed") \
        <(cut -d' ' -f1 "$work/two.deployed") >&2 || true; failed=1
fi

# 2. byte-identical
same=0
while read -r coords path; do
    other="$(awk -v c="$coords" '$1 == c {print $2}' "$work/two.deployed")"
    [ -n "$other" ] || continue
    a="$(sha256sum "$work/one/repo/$path" | cut -d' ' -f1)"
    b="$(sha256sum "$work/two/repo/$other" | cut -d' ' -f1)"
    if [ "$a" = "$b" ]; then
        same=$((same + 1))
        printf '  %s  %s\n' "$a" "$coords"
    else
        log "not reproducible: $coords ($a vs $b; compare $work/one/repo/$path and $work/two/repo/$other)"
        failed=1
    fi
done < "$work/one.deployed"

total="$(wc -l < "$work/one.deployed")"
log "$total artifacts deployed (javadoc jars $javadoc: $(grep -c ':javadoc ' "$work/one.deployed" || true)), $same of them byte-identical in both builds; $(( $(date +%s) - start )) s"
if [ "$failed" != 0 ]; then
    trap - EXIT
    log "FAILED; the builds are kept in $work"
    exit 1
fi
log "OK"
