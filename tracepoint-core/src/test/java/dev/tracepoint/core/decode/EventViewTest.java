package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding of every field kind from records laid out as captured format files describe. */
class EventViewTest {

    @Test
    void scalarsStringsAndCharArrays() throws Exception {
        EventFormat f = Records.format("kernel-6.18/signal/signal_generate/format");
        EventView v = new Records(f, 48).i32("sig", 9).i32("errno", -3).i32("code", -6).chars("comm", "nginx")
                .i32("pid", 1337).i32("group", 1).i32("result", 2).view();
        assertThat(v.getInt(f.field("sig"))).isEqualTo(9);
        assertThat(v.getLong(f.field("errno"))).isEqualTo(-3);
        assertThat(v.getLong(f.field("common_type"))).isEqualTo(f.id());
        assertThat(v.getString(f.field("comm"))).isEqualTo("nginx");
        assertThat(v.stringEquals(f.field("comm"), "nginx")).isTrue();
        assertThat(v.stringEquals(f.field("comm"), "nginx2")).isFalse();
        assertThat(v.stringEquals(f.field("comm"), "ngin")).isFalse();
        byte[] dst = new byte[4];
        assertThat(v.copyString(f.field("comm"), dst)).isEqualTo(4);
        assertThat(new String(dst)).isEqualTo("ngin");
        assertThat(v.getLong("pid")).isEqualTo(1337);
        assertThat(v.cpu()).isEqualTo(1);
        assertThat(v.pid()).isEqualTo(100);
        assertThat(v.tid()).isEqualTo(101);
        assertThat(v.toString()).isEqualTo("sig=9 errno=-3 code=-6 comm=nginx pid=1337 grp=1 res=2");
    }

    @Test
    void unsignedAndSignedWidthsFollowTheFormat() throws Exception {
        EventFormat f = Records.format("kernel-6.18/skb/kfree_skb/format");
        EventView v = new Records(f, 40).i64("skbaddr", 0xffff_8881_0000_0040L).i64("location", 0xffff_ffff_8123_4567L)
                .i16("protocol", 0x86dd).i32("reason", 0x8000_0003).view();
        assertThat(v.getLong(f.field("protocol"))).isEqualTo(0x86dd); // unsigned short: no sign extension
        assertThat(v.getLong(f.field("reason"))).isEqualTo(0x8000_0003L); // enum, signed:0
        assertThat(v.getLong(f.field("location"))).isEqualTo(0xffff_ffff_8123_4567L);
        assertThat(v.symbol(f.field("reason"))).isEqualTo(Long.toString(0x8000_0003L)); // not in the table: the number
    }

    @Test
    void symbolicTablesAndPrintFmtRendering() throws Exception {
        EventFormat f = Records.format("kernel-6.18/skb/kfree_skb/format");
        EventView v = new Records(f, 40).i64("skbaddr", 0x10).i64("location", 0x20).i16("protocol", 0x800).i32("reason", 3).view();
        assertThat(v.symbol(f.field("reason"))).isEqualTo("NO_SOCKET");
        assertThat(v.toString()).isEqualTo("skbaddr=0x10 rx_sk=0x0 protocol=2048 location=0x20 reason: NO_SOCKET");
        Event copy = v.copy();
        assertThat(copy.symbols()).containsEntry("reason", "NO_SOCKET");
        assertThat(copy.fields()).containsEntry("protocol", 2048L).containsKeys("skbaddr", "location", "rx_sk", "reason");
    }

    @Test
    void dataLocStringsAreResolvedAndBoundsChecked() throws Exception {
        EventFormat f = Records.format("kernel-6.18/sched/sched_process_exec/format");
        Field filename = f.requireField("filename");
        // __data_loc: u32 = length << 16 | offset from the record start
        EventView v = new Records(f, 40).i32("filename", (10 << 16) | 20).bytesAt(20, "/bin/true\0").i32("pid", 7).view();
        assertThat(v.getString(filename)).isEqualTo("/bin/true");
        assertThat(v.byteLength(filename)).isEqualTo(10);
        assertThat(v.toString()).isEqualTo("filename=/bin/true pid=7 old_pid=0");

        EventView outside = new Records(f, 40).i32("filename", (30 << 16) | 20).view();
        assertThatThrownBy(() -> outside.getString(filename)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("filename").hasMessageContaining("[20,50)").hasMessageContaining("length=40");
        assertThat(outside.copy().fields()).containsEntry("filename", null);
    }

    /** A probe's {@code string[2]} fetch: {@code __data_loc char[][2]}, two locators of one string each. */
    @Test
    void probeStringArraysReadEachString() throws Exception {
        String text = """
                name: names
                ID: 1234
                format:
                \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
                \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
                \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
                \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

                \tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;
                \tfield:__data_loc char[][2] names;\toffset:16;\tsize:8;\tsigned:1;

                print fmt: "(%lx) names={\\"%s\\",\\"%s\\"}", REC->__probe_ip, __get_str(names[0]), __get_str(names[1])
                """;
        EventFormat f = dev.tracepoint.core.format.FormatParser.parse("tp_1/names/format", "tp_1",
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Field names = f.requireField("names");
        assertThat(names.arrayLength()).isEqualTo(2);
        // locators: length << 16 | offset; the strings at 24 ("ab") and 27 ("cde")
        EventView v = new Records(f, 32).i32("names", (3 << 16) | 24).bytesAt(20, new String(new char[] {27, 0, 4, 0}))
                .bytesAt(24, "ab\0cde\0").view();
        assertThat(v.getString(names, 0)).isEqualTo("ab");
        assertThat(v.getString(names, 1)).isEqualTo("cde");
        assertThat(v.getString(names)).isEqualTo("ab");
        assertThatThrownBy(() -> v.getString(names, 2)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("names").hasMessageContaining("no string 2");
        EventView outside = new Records(f, 32).i32("names", (3 << 16) | 24).bytesAt(20, new String(new char[] {30, 0, 9, 0})).view();
        assertThatThrownBy(() -> outside.getString(names, 1)).isInstanceOf(DecodeException.class);
    }

    @Test
    void relLocCountsFromTheEndOfTheField() throws Exception {
        EventFormat f = Records.format("found/lkml-2021-11-mhiramat-rel_loc-x86_64/sample-trace/foo_rel_loc/format");
        // foo is at 8..12; its data starts 12 bytes after the field's end: at 24
        EventView v = new Records(f, 40).i32("foo", (4 << 16) | 12).bytesAt(24, "abc\0").i32("bar", 42).view();
        assertThat(v.getString(f.requireField("foo"))).isEqualTo("abc");
        assertThat(v.getInt(f.requireField("bar"))).isEqualTo(42);
    }

    @Test
    void oldTwoByteDataLocRunsToTheEndOfTheRecord() throws Exception {
        EventFormat f = Records.format("variants/2.6.31-x86_64/irq/irq_handler_entry/format");
        EventView v = new Records(f, 32).i32("irq", 11).i16("name", 20).bytesAt(20, "eth0\0").view();
        assertThat(v.getString(f.requireField("name"))).isEqualTo("eth0");
        assertThat(v.toString()).isEqualTo("irq=11 handler=eth0");
    }

    @Test
    void shortRecordsAndMisusedReadersAreCheckedErrors() throws Exception {
        EventFormat f = Records.format("kernel-6.18/signal/signal_generate/format");
        MemorySegment small = MemorySegment.ofArray(new byte[20]);
        EventReader reader = new EventReader();
        assertThatThrownBy(() -> reader.read(f, small, 0, 20)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("signal_generate").hasMessageContaining("fixedSize=48");
        assertThatThrownBy(() -> reader.read(f, MemorySegment.ofArray(new byte[48]), 8, 48))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> reader.read(f, MemorySegment.ofArray(new byte[48]), Long.MAX_VALUE - 8, 48))
                .isInstanceOf(DecodeException.class);
        EventView v = new Records(f, 48).view();
        assertThatThrownBy(() -> v.getString(f.field("sig"))).isInstanceOf(DecodeException.class).hasMessageContaining("SCALAR");
        assertThatThrownBy(() -> v.getLong(f.field("comm"))).isInstanceOf(DecodeException.class).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> v.getLong("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no field 'nope'");
    }

    @Test
    void longWidthComesFromSizeNotTheHost() throws Exception {
        // an i386 capture: unsigned long is 4 bytes there, after a 12-byte common header
        EventFormat f = Records.format("found/yocto-profile-manual-3.4.11-i386/probe/do_fork/format");
        Field ip = f.requireField("__probe_ip");
        assertThat(ip.size()).isEqualTo(4);
        EventView v = new Records(f, 16).i32("__probe_ip", 0xc00000ff).view();
        assertThat(v.getLong(ip)).isEqualTo(0xc00000ffL);
        assertThat(v.toString()).isEqualTo("(c00000ff)");
    }

    @Test
    void numericArrays() throws Exception {
        EventFormat f = Records.format("kernel-6.18/ftrace/kernel_stack/format");
        Field caller = f.requireField("caller");
        Records r = new Records(f, f.fixedSize());
        EventView v = r.view();
        assertThat(v.elementCount(caller)).isEqualTo(8);
        v.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, caller.offset() + 8, 0xffffffff81000000L);
        assertThat(v.getElement(caller, 1)).isEqualTo(0xffffffff81000000L);
        assertThat(v.getLongArray(caller)).hasSize(8);
        assertThatThrownBy(() -> v.getElement(caller, 8)).isInstanceOf(DecodeException.class).hasMessageContaining("8 elements");
    }

    @Test
    void aReaderDecodesARecordOutsideAnyRingWithItsMetadata() throws Exception {
        EventFormat f = Records.format("kernel-6.18/signal/signal_generate/format");
        Field sig = f.requireField("sig");
        Field comm = f.requireField("comm");
        byte[] a = new Records(f, 48).i32("sig", 9).bytesAt(comm.offset(), "victim\0").bytes();
        byte[] b = new Records(f, 48).i32("sig", 15).bytesAt(comm.offset(), "other\0").bytes();
        // two records back to back in one buffer, as a file or a snapshot holds them
        MemorySegment buf = MemorySegment.ofArray(new byte[96]);
        MemorySegment.copy(MemorySegment.ofArray(a), 0, buf, 0, 48);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, buf, 48, 48);
        EventReader reader = new EventReader();
        EventView v = reader.read(f, buf, 0, 48, new SampleMetadata(1, 42, 43, 1_000L, 5_000_000_000L));
        assertThat(v.getInt(sig)).isEqualTo(9);
        assertThat(v.getString(comm)).isEqualTo("victim");
        assertThat(v.cpu()).isEqualTo(1);
        assertThat(v.pid()).isEqualTo(42);
        assertThat(v.tid()).isEqualTo(43);
        assertThat(v.timeNanos()).isEqualTo(1_000L);
        assertThat(v.wallClockNanos()).isEqualTo(5_000_001_000L);
        Event first = v.copy();
        // the same view moves to the next record; metadata left out is none, not the previous record's
        assertThat(reader.read(f, buf, 48, 48)).isSameAs(v);
        assertThat(v.getInt(sig)).isEqualTo(15);
        assertThat(v.getString(comm)).isEqualTo("other");
        assertThat(v.pid()).isZero();
        assertThat(v.cpu()).isEqualTo(-1);
        assertThat(first.get("sig")).isEqualTo(9L);
        assertThat(first.pid()).isEqualTo(42);
        assertThat(first.view().wallClockNanos()).isEqualTo(5_000_001_000L);
    }
}
