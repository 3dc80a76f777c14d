package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Exact layouts of known events across kernels, and every field kind the kernel prints. */
class FormatParserFactsTest {

    @Test
    void signalGenerateOn618() throws Exception {
        EventFormat f = Corpus.parse("kernel-6.18/signal/signal_generate/format");
        assertThat(f.system()).isEqualTo("signal");
        assertThat(f.name()).isEqualTo("signal_generate");
        assertThat(f.fullName()).isEqualTo("signal:signal_generate");
        assertThat(f.id()).isEqualTo(261);
        assertThat(f.fixedSize()).isEqualTo(48);
        assertThat(f.payloadFields()).extracting(Field::name)
                .containsExactly("sig", "errno", "code", "comm", "pid", "group", "result");

        assertField(f.requireField("sig"), FieldKind.SCALAR, 8, 4, true);
        Field comm = f.requireField("comm");
        assertField(comm, FieldKind.ARRAY, 20, 16, false);
        assertThat(comm.type()).isEqualTo("char[16]");
        assertThat(comm.elementType()).isEqualTo("char");
        assertThat(comm.elementSize()).isEqualTo(1);
        assertThat(comm.arrayLength()).isEqualTo(16);
        assertThat(comm.isString()).isTrue();
        assertField(f.requireField("pid"), FieldKind.SCALAR, 36, 4, true);
        assertThat(f.requireField("pid").type()).isEqualTo("pid_t");
        assertField(f.requireField("group"), FieldKind.SCALAR, 40, 4, true);
        assertField(f.requireField("result"), FieldKind.SCALAR, 44, 4, true);

        Field commonType = f.requireField("common_type");
        assertField(commonType, FieldKind.SCALAR, 0, 2, false);
        assertThat(commonType.isCommon()).isTrue();
        assertThat(commonType.index()).isZero();
        assertThat(commonType.line()).isEqualTo(4);
        assertThat(f.requireField("result").index()).isEqualTo(10);

        PrintFmt printFmt = f.printFmt();
        assertThat(printFmt.parsed()).isTrue();
        assertThat(printFmt.format()).isEqualTo("sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d");
        assertThat(printFmt.args()).containsExactly("REC->sig", "REC->errno", "REC->code", "REC->comm", "REC->pid",
                "REC->group", "REC->result");
        assertThat(f.warnings()).isEmpty();
        assertThat(f.source()).isEqualTo(Corpus.path("kernel-6.18/signal/signal_generate/format").toString());
    }

    /** kfree_skb had four layouts; every one must resolve by name. Offsets of -1 mean "no such field". */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // file,                                                   header, skbaddr, location, protocol, reason, rx_sk
            "variants/2.6.31-x86_64/skb/kfree_skb/format,                  12, 16, 32, 24, -1, -1",
            "variants/3.2-x86_64/skb/kfree_skb/format,                     12, 16, 24, 32, -1, -1",
            "variants/4.19-x86_64/skb/kfree_skb/format,                     8,  8, 16, 24, -1, -1",
            "variants/5.10-x86_64/skb/kfree_skb/format,                     8,  8, 16, 24, -1, -1",
            "variants/5.17-x86_64/skb/kfree_skb/format,                     8,  8, 16, 24, 28, -1",
            "variants/6.1-x86_64/skb/kfree_skb/format,                      8,  8, 16, 24, 28, -1",
            "found/netdev-2024-06-rostedt-6.10rc-x86_64/skb/kfree_skb/format.partial, 8, 8, 16, 24, 28, -1",
            "kernel-6.18/skb/kfree_skb/format,                              8,  8, 16, 32, 36, 24",
    })
    void kfreeSkbResolvesByNameInEveryLayout(String file, int header, int skbaddr, int location, int protocol,
                                             int reason, int rxSk) throws Exception {
        EventFormat f = Corpus.parse(file);
        assertThat(f.fullName()).isEqualTo("skb:kfree_skb");
        assertThat(f.payloadFields().get(0).offset()).isEqualTo(header == 12 ? 16 : 8);
        assertThat(f.fields()).filteredOn(Field::isCommon).last()
                .satisfies(last -> assertThat(last.offset() + last.size()).isEqualTo(header));
        assertField(f.requireField("skbaddr"), FieldKind.POINTER, skbaddr, 8, false);
        assertField(f.requireField("location"), FieldKind.POINTER, location, 8, false);
        assertField(f.requireField("protocol"), FieldKind.SCALAR, protocol, 2, false);
        assertOptional(f, "reason", reason, 4);
        assertOptional(f, "rx_sk", rxSk, 8);
    }

    private static void assertOptional(EventFormat f, String name, int offset, int size) {
        if (offset < 0) {
            assertThat(f.field(name)).isNull();
        } else {
            assertThat(f.requireField(name).offset()).isEqualTo(offset);
            assertThat(f.requireField(name).size()).isEqualTo(size);
        }
    }

    @Test
    void kfreeSkbLayoutDetailsOfOldKernels() throws Exception {
        EventFormat v2631 = Corpus.parse("variants/2.6.31-x86_64/skb/kfree_skb/format");
        assertThat(v2631.requireField("protocol").index()).isLessThan(v2631.requireField("location").index());
        assertThat(v2631.requireField("common_tgid").offset()).isEqualTo(8);

        EventFormat v32 = Corpus.parse("variants/3.2-x86_64/skb/kfree_skb/format");
        assertField(v32.requireField("common_padding"), FieldKind.SCALAR, 8, 4, true);
        assertThat(v32.requireField("location").index()).isLessThan(v32.requireField("protocol").index());
    }

    @Test
    void dropReasonTables() throws Exception {
        ValueTable v517 = Corpus.parse("variants/5.17-x86_64/skb/kfree_skb/format").requireField("reason").table();
        assertThat(v517.kind()).isEqualTo(ValueTable.Kind.SYMBOLIC);
        assertThat(v517.field()).isEqualTo("reason");
        assertThat(v517.size()).as("7 reasons and MAX").isEqualTo(8);
        assertThat(v517.nameOf(0)).isEqualTo("NOT_SPECIFIED");
        assertThat(v517.nameOf(6)).isEqualTo("NETFILTER_DROP");
        assertThat(v517.nameOf(7)).isEqualTo("MAX");

        EventFormat k618 = Corpus.parse("kernel-6.18/skb/kfree_skb/format");
        ValueTable reasons = k618.requireField("reason").table();
        assertThat(k618.tables()).containsExactly(reasons);
        assertThat(reasons.size()).isEqualTo(127);
        assertThat(reasons.nameOf(3)).isEqualTo("NO_SOCKET");
        assertThat(reasons.valueOf("NO_SOCKET")).isEqualTo(3);
        assertThat(reasons.name(reasons.size() - 1)).isEqualTo("MAX");
        assertThat(reasons.format(3)).isEqualTo("NO_SOCKET");
        assertThat(reasons.format(0x30001)).as("subsystem-encoded reasons have no name").isEqualTo("196609");
    }

    @Test
    void printFlagsTableOfGfpFlags() throws Exception {
        ValueTable gfp = Corpus.parse("kernel-6.18/kmem/kmalloc/format").requireField("gfp_flags").table();
        assertThat(gfp.kind()).isEqualTo(ValueTable.Kind.FLAGS);
        assertThat(gfp.delimiter()).isEqualTo("|");
        // GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS, written as nested casts and shifts in the print fmt
        assertThat(gfp.valueOf("GFP_KERNEL")).isEqualTo(0xcc0);
        assertThat(gfp.valueOf("__GFP_IO")).isEqualTo(0x40);
        assertThat(gfp.format(0xcc0)).isEqualTo("GFP_KERNEL");
        assertThat(gfp.format(0xcc0 | gfp.valueOf("__GFP_ZERO"))).isEqualTo("GFP_KERNEL|__GFP_ZERO");
    }

    @Test
    void tablesInsideTernariesAndWithUnresolvedNames() throws Exception {
        // REC->prev_state ? __print_flags(REC->prev_state, "|", { 1, "S"} , ...) : "R"
        ValueTable prevState = Corpus.parse("found/haskell-linux-perf-2012-x86_64/sched/sched_switch/format")
                .requireField("prev_state").table();
        assertThat(prevState.format(3)).isEqualTo("S|D");

        ValueTable vec = Corpus.parse("kernel-6.18/irq/softirq_entry/format").requireField("vec").table();
        assertThat(vec.format(3)).isEqualTo("NET_RX");

        // entries like {I_DIRTY_SYNC, "I_DIRTY_SYNC"} cannot be evaluated: no table rather than a wrong one
        assertThat(Corpus.parse("kernel-6.18/writeback/writeback_dirty_inode/format").requireField("state").table())
                .isNull();
    }

    @Test
    void dataLocStrings() throws Exception {
        Field filename = Corpus.parse("kernel-6.18/sched/sched_process_exec/format").requireField("filename");
        assertField(filename, FieldKind.DATA_LOC, 8, 4, false);
        assertThat(filename.type()).isEqualTo("__data_loc char[]");
        assertThat(filename.elementType()).isEqualTo("char");
        assertThat(filename.elementSize()).isEqualTo(1);
        assertThat(filename.isString()).isTrue();
        assertThat(filename.isDynamic()).isTrue();

        Field cpumask = Corpus.parse("kernel-6.18/ipi/ipi_send_cpumask/format").requireField("cpumask");
        assertField(cpumask, FieldKind.DATA_LOC, 8, 4, false);
        assertThat(cpumask.type()).isEqualTo("__data_loc cpumask_t");
        assertThat(cpumask.elementType()).isEqualTo("cpumask_t");
        assertThat(cpumask.elementSize()).isEqualTo(1);
        assertThat(cpumask.isString()).isFalse();

        Field addrs = Corpus.parse("kernel-6.18/dma/dma_map_sg/format").requireField("dma_addrs");
        assertThat(addrs.kind()).isEqualTo(FieldKind.DATA_LOC);
        assertThat(addrs.elementType()).isEqualTo("u64");
        assertThat(addrs.elementSize()).isEqualTo(8);
    }

    @Test
    void oldTwoByteDataLoc() throws Exception {
        EventFormat f = Corpus.parse("variants/2.6.31-x86_64/irq/irq_handler_entry/format");
        Field name = f.requireField("name");
        assertField(name, FieldKind.DATA_LOC, 16, 2, true);
        assertThat(name.type()).isEqualTo("__data_loc");
        assertThat(name.isString()).isTrue();
        assertThat(f.requireField("common_tgid").offset()).isEqualTo(8);
    }

    @Test
    void relLoc() throws Exception {
        EventFormat f = Corpus.parse("found/lkml-2021-11-mhiramat-rel_loc-x86_64/sample-trace/foo_rel_loc/format");
        assertThat(f.fullName()).isEqualTo("sample-trace:foo_rel_loc");
        Field foo = f.requireField("foo");
        assertField(foo, FieldKind.REL_LOC, 8, 4, true);
        assertThat(foo.type()).isEqualTo("__rel_loc char[]");
        assertThat(foo.isString()).isTrue();
        Field bitmask = f.requireField("bitmask");
        assertField(bitmask, FieldKind.REL_LOC, 16, 4, false);
        assertThat(bitmask.elementType()).isEqualTo("unsigned long");
        assertThat(bitmask.elementSize()).isEqualTo(8);
        assertThat(f.printFmt().args()).containsExactly("__get_rel_str(foo)", "REC->bar", "__get_rel_bitmask(bitmask)");
    }

    @Test
    void flexibleArrays() throws Exception {
        Field buf = Corpus.parse("kernel-6.18/ftrace/print/format").requireField("buf");
        assertField(buf, FieldKind.FLEX_ARRAY, 16, 0, false);
        assertThat(buf.type()).isEqualTo("char[]");
        assertThat(buf.isString()).isTrue();
        assertThat(buf.isDynamic()).isTrue();

        Field args = Corpus.parse("kernel-6.18/ftrace/function/format").requireField("args");
        assertField(args, FieldKind.FLEX_ARRAY, 24, 0, false);
        assertThat(args.elementSize()).isEqualTo(8);
    }

    @Test
    void packedEnumsAndOddScalars() throws Exception {
        EventFormat xfs = Corpus.parse("kernel-6.18/xfs/xfs_agfl_free_deferred/format");
        Field type = xfs.requireField("type");
        assertField(type, FieldKind.SCALAR, 12, 1, false);
        assertThat(type.type()).isEqualTo("enum xfs_group_type");
        assertThat(xfs.warnings()).isEmpty();

        EventFormat landlock = Corpus.parse("kernel-6.18/syscalls/sys_enter_landlock_add_rule/format");
        assertThat(landlock.requireField("rule_type").type()).isEqualTo("const enum landlock_rule_type");
        assertThat(landlock.requireField("rule_type").size()).isEqualTo(8);
    }

    @Test
    void syscallArgumentsLiveInLongSlotsWithoutWarnings() throws Exception {
        EventFormat openat = Corpus.parse("kernel-6.18/syscalls/sys_enter_openat/format");
        assertField(openat.requireField("dfd"), FieldKind.SCALAR, 16, 8, false);
        assertThat(openat.requireField("dfd").type()).isEqualTo("int");
        assertThat(openat.warnings()).isEmpty();
    }

    @Test
    void pointerSpellings() throws Exception {
        EventFormat execve = Corpus.parse("kernel-6.18/syscalls/sys_enter_execve/format");
        assertThat(execve.requireField("argv").type()).isEqualTo("const char *const *");
        assertThat(execve.requireField("argv").kind()).isEqualTo(FieldKind.POINTER);
        assertThat(execve.requireField("filename").type()).isEqualTo("const char *");

        Field ptr = Corpus.parse("kernel-6.18/percpu/percpu_alloc_percpu/format").requireField("ptr");
        assertField(ptr, FieldKind.POINTER, 56, 8, false);
        assertThat(ptr.type()).isEqualTo("void __seg_gs *");

        Field head = Corpus.parse("kernel-6.18/syscalls/sys_enter_get_robust_list/format").requireField("head_ptr");
        assertThat(head.type()).isEqualTo("struct robust_list_head * *");
        assertThat(head.kind()).isEqualTo(FieldKind.POINTER);
    }

    @Test
    void pointersAreFourBytesInI386Captures() throws Exception {
        for (String file : List.of("found/kernel-doc-uprobetracer-3.x-i386/uprobes/zfree_entry/format",
                "found/yocto-profile-manual-3.4.11-i386/probe/do_fork/format")) {
            EventFormat f = Corpus.parse(file);
            assertField(f.requireField("__probe_ip"), FieldKind.SCALAR, 12, 4, false);
            assertThat(f.requireField("common_padding").offset()).isEqualTo(8);
            assertThat(f.warnings()).isEmpty();
        }
    }

    @Test
    void preSignedKernelsWithMacroArrayLengths() throws Exception {
        EventFormat f = Corpus.parse("found/kernel-doc-events-rst-2.6.3x-x86_64/sched/sched_wakeup/format");
        Field comm = f.requireField("comm");
        assertField(comm, FieldKind.ARRAY, 12, 16, true);
        assertThat(comm.type()).isEqualTo("char[TASK_COMM_LEN]");
        assertThat(comm.arrayLength()).isEqualTo(16);
        assertThat(comm.isString()).isTrue();
        assertThat(f.requireField("common_type").signed()).isFalse();
        assertThat(f.requireField("common_pid").signed()).isTrue();
        assertThat(f.requireField("common_tgid").offset()).isEqualTo(8);

        EventFormat send = Corpus.parse("found/lkml-2009-05-mingo-2.6.30-x86_64/sched/sched_signal_send/format");
        assertField(send.requireField("pid"), FieldKind.SCALAR, 32, 4, true);

        EventFormat v2633 = Corpus.parse("variants/2.6.33-x86_64/signal/signal_generate/format");
        assertField(v2633.requireField("common_lock_depth"), FieldKind.SCALAR, 8, 4, true);
        assertThat(v2633.requireField("comm").arrayLength()).isEqualTo(16);
    }

    @Test
    void traceCmdListOutputWithSystemLineAndNoPrintFmt() throws Exception {
        EventFormat f = Corpus.parse("found/trace-cmd-list-F-output-x86_64/signal/signal_generate/format");
        assertThat(f.fullName()).isEqualTo("signal:signal_generate");
        assertThat(f.id()).isEqualTo(190);
        assertThat(f.printFmt()).isNull();
        assertThat(f.warnings()).containsExactly("no print fmt");
        assertField(f.requireField("comm"), FieldKind.ARRAY, 20, 16, false);
    }

    @Test
    void multiLinePrintFmt() throws Exception {
        // the kernel prints a "\n" of the format string as a real line break
        EventFormat f = Corpus.parse("kernel-6.18/ext4/ext4_fsmap_high_key/format");
        assertThat(f.printFmt().parsed()).isTrue();
        assertThat(f.printFmt().format()).isEqualTo("dev %d:%d keydev %d:%d agno %u bno %llu len %llu owner %lld\n");
        assertThat(f.printFmt().args()).hasSize(8).endsWith("REC->owner");
    }

    private static void assertField(Field f, FieldKind kind, int offset, int size, boolean signed) {
        assertThat(f.kind()).as(f.name() + " kind").isEqualTo(kind);
        assertThat(f.offset()).as(f.name() + " offset").isEqualTo(offset);
        assertThat(f.size()).as(f.name() + " size").isEqualTo(size);
        assertThat(f.signed()).as(f.name() + " signed").isEqualTo(signed);
    }
}
