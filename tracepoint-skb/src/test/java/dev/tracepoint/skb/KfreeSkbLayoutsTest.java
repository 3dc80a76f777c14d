package dev.tracepoint.skb;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every {@code kfree_skb} and {@code consume_skb} layout of the corpus (real 6.18 and 6.10-rc captures,
 * reconstructions back to 2.6.31, and a 32-bit one) decodes through the same typed interfaces: records are
 * built in a byte array at the offsets each format gives and read back by name.
 */
class KfreeSkbLayoutsTest {

    /** 3.x i386: 12-byte common header, 4-byte pointers (ILP32), protocol last. */
    static final String I386_KFREE_SKB = """
            name: kfree_skb
            ID: 421
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;
            \tfield:int common_padding;\toffset:8;\tsize:4;\tsigned:1;

            \tfield:void * skbaddr;\toffset:12;\tsize:4;\tsigned:0;
            \tfield:void * location;\toffset:16;\tsize:4;\tsigned:0;
            \tfield:unsigned short protocol;\toffset:20;\tsize:2;\tsigned:0;

            print fmt: "skbaddr=%p protocol=%u location=%p", REC->skbaddr, REC->protocol, REC->location
            """;

    static Stream<Path> kfreeSkbFormats() throws IOException {
        return skbFormats("kfree_skb");
    }

    static Stream<Path> consumeSkbFormats() throws IOException {
        return skbFormats("consume_skb");
    }

    static Stream<Path> skbFormats(String event) throws IOException {
        Path root = KernelTests.corpus();
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getParent().getFileName().toString().equals(event)
                            && p.getParent().getParent().getFileName().toString().equals("skb"))
                    .filter(p -> p.getFileName().toString().startsWith("format"))
                    .filter(p -> !p.toString().contains("/bad/"))
                    .sorted().toList();
            assertThat(files).as(event + " formats in the corpus").hasSizeGreaterThanOrEqualTo(event.equals("kfree_skb") ? 8 : 6);
            return files.stream();
        }
    }

    /** Writes an integer of the field's width at its offset (little-endian, as x86 records are). */
    static void put(MemorySegment rec, Field f, long value) {
        switch (f.size()) {
            case 1 -> rec.set(ValueLayout.JAVA_BYTE, f.offset(), (byte) value);
            case 2 -> rec.set(ValueLayout.JAVA_SHORT_UNALIGNED, f.offset(), (short) value);
            case 4 -> rec.set(ValueLayout.JAVA_INT_UNALIGNED, f.offset(), (int) value);
            case 8 -> rec.set(ValueLayout.JAVA_LONG_UNALIGNED, f.offset(), value);
            default -> throw new AssertionError(f);
        }
    }

    static long pointer(Field f, long value64) {
        return f.size() == 4 ? value64 & 0xffff_ffffL : value64;
    }

    /** A record of {@code format} with the given values; absent fields are skipped. */
    static MemorySegment record(EventFormat format, long skbaddr, long location, int protocol, long reason, long rxSk) {
        byte[] bytes = new byte[format.fixedSize() + 4]; // a little trailing padding, as perf adds
        MemorySegment rec = MemorySegment.ofArray(bytes);
        put(rec, format.requireField("common_type"), format.id());
        put(rec, format.requireField("common_pid"), 4242);
        put(rec, format.requireField("skbaddr"), skbaddr);
        if (format.field("location") != null) {
            put(rec, format.requireField("location"), location);
        }
        if (format.field("protocol") != null) {
            put(rec, format.requireField("protocol"), protocol);
        }
        if (format.field("reason") != null) {
            put(rec, format.requireField("reason"), reason);
        }
        if (format.field("rx_sk") != null) {
            put(rec, format.requireField("rx_sk"), rxSk);
        }
        return rec;
    }

    @ParameterizedTest
    @MethodSource("kfreeSkbFormats")
    void kfreeSkbDecodesInEveryLayout(Path file) throws Exception {
        EventFormat format = FormatParser.parse(file);
        check(format);
    }

    @Test
    void kfreeSkbDecodesWithFourBytePointers() throws Exception {
        EventFormat format = FormatParser.parse("i386/skb/kfree_skb/format", "skb", I386_KFREE_SKB.getBytes(StandardCharsets.US_ASCII));
        assertThat(format.requireField("skbaddr").size()).isEqualTo(4);
        check(format);
        // a kernel pointer above 2 GiB must not come back sign-extended
        EventReader reader = new EventReader();
        EventView view = reader.view();
        KfreeSkb e = EventBinding.of(KfreeSkb.class, format).attach(view);
        MemorySegment rec = record(format, 0xc1234560L, 0xc1000abcL, EtherTypes.IPV4, 0, 0);
        reader.read(format, rec, 0, (int) rec.byteSize());
        assertThat(e.skbaddr()).isEqualTo(0xc1234560L);
        assertThat(e.location()).isEqualTo(0xc1000abcL);
    }

    private static void check(EventFormat format) {
        Field skb = format.requireField("skbaddr");
        Field loc = format.requireField("location");
        DropReasons reasons = DropReasons.of(format);
        boolean named = reasons.named();
        long noSocket = named ? reasons.valueOf("NO_SOCKET") : 1;
        long skbaddr = pointer(skb, 0xffff8880_1234_5600L);
        long location = pointer(loc, 0xffffffff_820a_7f2cL);
        long rxSk = 0xffff8880_0bad_c0deL;

        EventReader reader = new EventReader();
        EventView view = reader.view();
        KfreeSkb e = EventBinding.of(KfreeSkb.class, format).attach(view);
        MemorySegment rec = record(format, skbaddr, location, EtherTypes.IPV6, noSocket, rxSk);
        reader.read(format, rec, 0, (int) rec.byteSize(), SampleMetadata.of(3, 100, 101, 123_456_789L));

        assertThat(e.skbaddr()).isEqualTo(skbaddr);
        assertThat(e.location()).isEqualTo(location);
        assertThat(e.protocol()).isEqualTo(0x86DD);
        assertThat(e.protocolName()).isEqualTo("IPv6");
        assertThat(e.pid()).isEqualTo(100);
        assertThat(e.cpu()).isEqualTo(3);
        assertThat(e.hasReason()).isEqualTo(format.field("reason") != null);
        assertThat(e.hasRxSk()).isEqualTo(format.field("rx_sk") != null);
        if (e.hasReason()) {
            assertThat(e.reason()).isEqualTo((int) noSocket);
            // the 6.10-rc capture has no print fmt: no names, and no made-up ones
            assertThat(e.reasonName()).isEqualTo(named ? "NO_SOCKET" : Long.toString(noSocket));
        } else {
            assertThatThrownBy(e::reason).isInstanceOf(IllegalStateException.class).hasMessageContaining("reason");
            assertThatThrownBy(e::reasonName).isInstanceOf(IllegalStateException.class);
        }
        if (e.hasRxSk()) {
            assertThat(e.rxSk()).isEqualTo(rxSk);
        } else {
            assertThatThrownBy(e::rxSk).isInstanceOf(IllegalStateException.class);
        }

        KfreeSkbRecord r = e.toRecord();
        assertThat(r.skbaddr()).isEqualTo(skbaddr);
        assertThat(r.location()).isEqualTo(location);
        assertThat(r.protocol()).isEqualTo(0x86DD);
        assertThat(r.protocolName()).isEqualTo("IPv6");
        assertThat(r.pid()).isEqualTo(100);
        assertThat(r.tid()).isEqualTo(101);
        assertThat(r.cpu()).isEqualTo(3);
        assertThat(r.timeNanos()).isEqualTo(123_456_789L);
        assertThat(r.hasReason()).isEqualTo(e.hasReason());
        assertThat(r.reason()).isEqualTo(e.hasReason() ? (int) noSocket : -1);
        assertThat(r.reasonName()).isEqualTo(!e.hasReason() ? null : named ? "NO_SOCKET" : Long.toString(noSocket));
        assertThat(r.rxSk()).isEqualTo(e.hasRxSk() ? rxSk : 0);

        if (e.hasReason()) {
            // a subsystem-encoded reason (SKB_DROP_REASON_SUBSYS_* << 16) is not in any table: shown as a number
            long subsys = (3L << DropReasons.SUBSYS_SHIFT) | 5;
            MemorySegment rec2 = record(format, skbaddr, location, 0x88CC, subsys, 0);
            reader.read(format, rec2, 0, (int) rec2.byteSize());
            assertThat(e.reason()).isEqualTo((int) subsys);
            assertThat(e.reasonName()).isEqualTo(Long.toString(subsys));
            assertThat(e.toRecord().reasonName()).isEqualTo(Long.toString(subsys));
            assertThat(e.protocolName()).isEqualTo("LLDP");
            assertThat(DropReasons.subsystem(e.reason())).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("consumeSkbFormats")
    void consumeSkbDecodesInEveryLayout(Path file) throws Exception {
        EventFormat format = FormatParser.parse(file);
        Field skb = format.requireField("skbaddr");
        long skbaddr = pointer(skb, 0xffff8880_1234_5600L);
        EventReader reader = new EventReader();
        EventView view = reader.view();
        ConsumeSkb e = EventBinding.of(ConsumeSkb.class, format).attach(view);
        MemorySegment rec = record(format, skbaddr, 0xffffffff_81e9_4f20L, 0, 0, 0);
        reader.read(format, rec, 0, (int) rec.byteSize(), SampleMetadata.of(1, 7, 8, 99));
        assertThat(e.skbaddr()).isEqualTo(skbaddr);
        assertThat(e.hasLocation()).isEqualTo(format.field("location") != null);
        ConsumeSkbRecord r = e.toRecord();
        assertThat(r.skbaddr()).isEqualTo(skbaddr);
        assertThat(r.pid()).isEqualTo(7);
        if (e.hasLocation()) {
            assertThat(e.location()).isEqualTo(0xffffffff_81e9_4f20L);
            assertThat(r.location()).isEqualTo(0xffffffff_81e9_4f20L);
        } else {
            assertThatThrownBy(e::location).isInstanceOf(IllegalStateException.class);
            assertThat(r.location()).isZero();
        }
    }

    @Test
    void accessorsDoNotAllocate() throws Exception {
        EventFormat format = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/skb/kfree_skb/format"));
        EventReader reader = new EventReader();
        EventView view = reader.view();
        KfreeSkb e = EventBinding.of(KfreeSkb.class, format).attach(view);
        MemorySegment rec = record(format, 0xffff888012345600L, 0xffffffff820a7f2cL, EtherTypes.IPV4,
                DropReasons.of(format).valueOf("NO_SOCKET"), 0);
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                reader.read(format, rec, 0, (int) rec.byteSize());
                sink += e.skbaddr() + e.location() + e.protocol() + e.reason() + e.rxSk();
                sink += e.reasonName().length() + e.protocolName().length();
                sink += e.hasReason() && e.hasRxSk() ? 1 : 0;
            }
            long allocated = allocatedBytes() - before;
            if (round == 2) {
                assertThat(allocated).as("bytes allocated by 100k decodes").isLessThan(4096);
            }
        }
        assertThat(sink).isNotZero();
    }

    /** This thread's allocated bytes (reflection: the tests are compiled into a module that does not read java.management). */
    static long allocatedBytes() {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(mx);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void layoutsReallyDiffer() throws Exception {
        Path root = KernelTests.corpus();
        EventFormat v2631 = FormatParser.parse(root.resolve("variants/2.6.31-x86_64/skb/kfree_skb/format"));
        EventFormat v32 = FormatParser.parse(root.resolve("variants/3.2-x86_64/skb/kfree_skb/format"));
        EventFormat v618 = FormatParser.parse(root.resolve("kernel-6.18/skb/kfree_skb/format"));
        // protocol before location in 2.6.31, after it in 3.2; rx_sk pushes protocol to 32 in 6.18
        assertThat(v2631.requireField("protocol").offset()).isLessThan(v2631.requireField("location").offset());
        assertThat(v32.requireField("protocol").offset()).isGreaterThan(v32.requireField("location").offset());
        assertThat(v618.requireField("protocol").offset()).isEqualTo(32);
        assertThat(v618.requireField("reason").offset()).isEqualTo(36);
    }
}
