package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed interfaces and records bound to the layouts of different kernels. */
class EventBindingTest {

    public interface Generate extends TracepointEvent {
        int sig();

        int code();

        String comm();

        int comm(byte[] dst);

        @TracepointField("pid")
        int targetPid();

        @TracepointField(optional = true)
        int group();

        boolean hasGroup();

        @TracepointField(optional = true)
        int result();
    }

    public record GenerateCopy(int sig, String comm, @TracepointField("pid") int targetPid,
                               @TracepointField(optional = true) int result, int cpu) {
    }

    @Test
    void sameInterfaceReadsTheModernAndThe2633Layouts() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        EventFormat old = Records.format("variants/2.6.33-x86_64/signal/signal_generate/format");
        assertThat(old.requireField("sig").offset()).isNotEqualTo(modern.requireField("sig").offset());

        EventView m = new Records(modern, 48).i32("sig", 15).i32("code", 0).chars("comm", "bash").i32("pid", 42)
                .i32("group", 1).i32("result", 0).view();
        Generate g = EventBinding.of(Generate.class, modern).attach(m);
        assertThat(g.sig()).isEqualTo(15);
        assertThat(g.comm()).isEqualTo("bash");
        assertThat(g.targetPid()).isEqualTo(42);
        assertThat(g.hasGroup()).isTrue();
        assertThat(g.group()).isEqualTo(1);
        assertThat(g.pid()).isEqualTo(100); // the sample's pid: the sender
        assertThat(g.tracepoint()).isEqualTo("signal:signal_generate");

        EventView o = new Records(old, 44).i32("sig", 9).chars("comm", "sleep").i32("pid", 7).view();
        EventBinding<Generate> binding = EventBinding.of(Generate.class, old);
        assertThat(binding.absentFields()).containsExactly("group", "result");
        Generate og = binding.attach(o);
        assertThat(og.sig()).isEqualTo(9);
        assertThat(og.targetPid()).isEqualTo(7);
        byte[] buf = new byte[16];
        assertThat(new String(buf, 0, og.comm(buf))).isEqualTo("sleep");
        assertThat(og.hasGroup()).isFalse();
        assertThatThrownBy(og::result).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'result' is absent").hasMessageContaining("signal_generate");

        GenerateCopy copy = o.as(GenerateCopy.class);
        assertThat(copy).isEqualTo(new GenerateCopy(9, "sleep", 7, 0, 1));
    }

    public interface NeedsMissing {
        int sig();

        long noSuchField();
    }

    public interface WrongWidth {
        int skbaddr();
    }

    interface NotPublic {
        int sig();
    }

    /** The case: the field {@code pid} of signal_generate is the target, the sample's pid the sender. */
    public interface PidCollision extends TracepointEvent {
        int sig();

        int pid();
    }

    /** Annotated, the accessor still takes the name of the metadata method it would hide. */
    public interface AnnotatedCollision extends TracepointEvent {
        @TracepointField("pid")
        int pid();
    }

    /** Not a TracepointEvent, but the generated class is one: cpu() would answer the field to a TracepointEvent caller. */
    public interface CpuField {
        int cpu();

        int toCpu();
    }

    /** The fields under names of their own, the metadata from TracepointEvent. */
    public interface CpuRenamed extends TracepointEvent {
        @TracepointField("cpu")
        int enqueueCpu();

        int toCpu();
    }

    @Test
    void bindingFailsFastNamingWhatDoesNotFit() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        assertThatThrownBy(() -> EventBinding.of(NeedsMissing.class, modern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("required field 'no_such_field'").hasMessageContaining("signal:signal_generate")
                .hasMessageContaining("fields: sig, errno, code, comm, pid, group, result");
        EventFormat skb = Records.format("kernel-6.18/skb/kfree_skb/format");
        assertThatThrownBy(() -> EventBinding.of(WrongWidth.class, skb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accessor int skbaddr() does not fit field skbaddr");
    }

    @Test
    void anAccessorNamedLikeATracepointEventMethodIsAnErrorNamingTheFieldAndTheFix() throws Exception {
        EventFormat generate = Records.format("kernel-6.18/signal/signal_generate/format");
        assertThatThrownBy(() -> EventBinding.of(PidCollision.class, generate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot bind " + PidCollision.class.getName() + " to signal:signal_generate")
                .hasMessageContaining("accessor int pid() has the name of TracepointEvent.pid()")
                .hasMessageContaining("read field 'pid'")
                .hasMessageContaining("@TracepointField(\"pid\") int targetPid()");
        assertThatThrownBy(() -> EventBinding.of(AnnotatedCollision.class, generate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accessor int pid() has the name of TracepointEvent.pid()");
        // on a format without such a field the name still hides the metadata
        assertThatThrownBy(() -> EventBinding.of(CpuField.class, generate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accessor int cpu() has the name of TracepointEvent.cpu()")
                .hasMessageContaining("a field 'cpu' this format lacks");

        EventFormat enqueue = Records.format("kernel-6.18/xdp/xdp_cpumap_enqueue/format");
        assertThatThrownBy(() -> EventBinding.of(CpuField.class, enqueue)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read field 'cpu'").hasMessageContaining("@TracepointField(\"cpu\") int targetCpu()");
        CpuRenamed e = EventBinding.of(CpuRenamed.class, enqueue).attach(new Records(enqueue, enqueue.fixedSize())
                .i32("cpu", 7).i32("to_cpu", 3).view());
        assertThat(e.enqueueCpu()).isEqualTo(7);
        assertThat(e.toCpu()).isEqualTo(3);
        assertThat(e.cpu()).isEqualTo(1); // the sample's CPU
    }

    public record EnqueueCopy(int cpu, int toCpu) {
    }

    public record EnqueueAnnotated(@TracepointField("cpu") int cpu, int toCpu, long timeNanos) {
    }

    @Test
    void aRecordComponentNamedLikeMetadataAndAFieldIsAnErrorUnlessAnnotated() throws Exception {
        EventFormat enqueue = Records.format("kernel-6.18/xdp/xdp_cpumap_enqueue/format");
        EventView v = new Records(enqueue, enqueue.fixedSize()).i32("cpu", 7).i32("to_cpu", 3).view();
        assertThatThrownBy(() -> v.as(EnqueueCopy.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("component cpu names both the sample's CPU and field 'cpu'")
                .hasMessageContaining("@TracepointField(\"cpu\")");
        assertThat(v.as(EnqueueAnnotated.class)).isEqualTo(new EnqueueAnnotated(7, 3, 5_000_000_000L));
    }

    @Test
    void onTheClassPathANonPublicInterfaceBindsNextToItself() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        NotPublic e = EventBinding.of(NotPublic.class, modern).attach(new Records(modern, 48).i32("sig", 15).view());
        assertThat(e.sig()).isEqualTo(15);
        // defined by the interface's own class loader, in its package: the library could not implement it
        assertThat(e.getClass().getPackageName()).isEqualTo(NotPublic.class.getPackageName());
        assertThat(e.getClass().getClassLoader()).isSameAs(NotPublic.class.getClassLoader());
    }

    /** Package-private: without a lookup it would be an ordinary class next to it, with one a hidden class. */
    interface LookupBound extends TracepointEvent {
        int sig();

        @TracepointField("pid")
        int targetPid();
    }

    @Test
    void withALookupTheClassIsHiddenInTheLookupsPackage() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        EventFormat old = Records.format("variants/2.6.33-x86_64/signal/signal_generate/format");
        EventView v = new Records(old, 44).i32("sig", 9).i32("pid", 7).view();
        EventBinding<LookupBound> binding = EventBinding.of(LookupBound.class, old, MethodHandles.lookup());
        LookupBound g = binding.attach(v);
        assertThat(g.sig()).isEqualTo(9);
        assertThat(g.targetPid()).isEqualTo(7);
        assertThat(g.pid()).isEqualTo(100);
        assertThat(g.getClass().isHidden()).isTrue();
        assertThat(g.getClass().getPackageName()).isEqualTo(EventBindingTest.class.getPackageName());
        assertThat(EventBinding.of(LookupBound.class, old)).isSameAs(binding); // one binding per interface and layout

        assertThatThrownBy(() -> EventBinding.of(Generate.class, modern, MethodHandles.publicLookup()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks full privilege access")
                .hasMessageContaining("MethodHandles.lookup()");
        assertThatThrownBy(() -> EventBinding.of(PidCollision.class, modern, MethodHandles.lookup()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TracepointEvent.pid()");
        assertThat(v.as(GenerateCopy.class, MethodHandles.lookup())).isEqualTo(new GenerateCopy(9, "", 7, 0, 1));
    }

    public interface Drop {
        long skbaddr();

        long location();

        int protocol();

        @TracepointField(optional = true)
        int reason();

        String reasonName();

        boolean hasRxSk();
    }

    @Test
    void symbolNamesComeFromTheFormatsOwnTable() throws Exception {
        EventFormat f618 = Records.format("kernel-6.18/skb/kfree_skb/format");
        EventFormat f517 = Records.format("variants/5.17-x86_64/skb/kfree_skb/format");
        Drop d618 = EventBinding.of(Drop.class, f618).attach(new Records(f618, 40).i32("reason", 3).i16("protocol", 0x800).view());
        assertThat(d618.reasonName()).isEqualTo("NO_SOCKET");
        assertThat(d618.hasRxSk()).isTrue();
        Drop d517 = EventBinding.of(Drop.class, f517).attach(new Records(f517, 40).i32("reason", 3).view());
        assertThat(d517.reasonName()).isEqualTo(f517.requireField("reason").table().nameOf(3));
        assertThat(d517.reasonName()).isNotEqualTo("NO_SOCKET"); // 5.17 numbered its reasons differently
        assertThat(d517.hasRxSk()).isFalse();
    }

    @Test
    void sameFieldsWithAnotherTableGetTheirOwnBinding() throws Exception {
        EventFormat f517 = Records.format("variants/5.17-x86_64/skb/kfree_skb/format");
        EventFormat f61 = Records.format("variants/6.1-x86_64/skb/kfree_skb/format");
        Drop a = EventBinding.of(Drop.class, f517).attach(new Records(f517, 40).i32("reason", 3).view());
        Drop b = EventBinding.of(Drop.class, f61).attach(new Records(f61, 40).i32("reason", 3).view());
        assertThat(a.reasonName()).isEqualTo(f517.requireField("reason").table().nameOf(3));
        assertThat(b.reasonName()).isEqualTo(f61.requireField("reason").table().nameOf(3));
    }

    /** The README's typed example, as written there. */
    public interface SchedSwitch extends TracepointEvent {
        int prevPid();

        String prevComm();

        int prevComm(byte[] dst);

        int nextPid();

        @TracepointField(value = "prev_state", optional = true)
        long prevState();

        boolean hasPrevState();
    }

    @Test
    void theReadmeTypedExampleBindsToSchedSwitch() throws Exception {
        EventFormat f = Records.format("kernel-6.18/sched/sched_switch/format");
        SchedSwitch e = EventBinding.of(SchedSwitch.class, f).attach(new Records(f, f.fixedSize())
                .chars("prev_comm", "java").i32("prev_pid", 42).i64("prev_state", 1).i32("next_pid", 7).view());
        assertThat(e.prevPid()).isEqualTo(42);
        assertThat(e.prevComm()).isEqualTo("java");
        assertThat(e.nextPid()).isEqualTo(7);
        assertThat(e.hasPrevState()).isTrue();
        assertThat(e.prevState()).isEqualTo(1);
    }

    @Test
    void bindingsAreCachedPerLayout() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        assertThat(EventBinding.of(Generate.class, modern)).isSameAs(EventBinding.of(Generate.class, Records.format("kernel-6.18/signal/signal_generate/format")));
    }

    /** A uprobe's layout as the kernel packs it: no alignment, {@code __data_loc} marked signed, string arrays. */
    static final String PROBE_FORMAT = """
            name: tp_target
            ID: 2401
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;
            \tfield:u8 a;\toffset:16;\tsize:1;\tsigned:0;
            \tfield:s16 b;\toffset:17;\tsize:2;\tsigned:1;
            \tfield:s32 c;\toffset:19;\tsize:4;\tsigned:1;
            \tfield:u64 d;\toffset:23;\tsize:8;\tsigned:0;
            \tfield:u8 bf;\toffset:31;\tsize:1;\tsigned:0;
            \tfield:__data_loc char[] name;\toffset:32;\tsize:4;\tsigned:1;
            \tfield:u32 arr[];\toffset:36;\tsize:16;\tsigned:0;
            \tfield:__data_loc char[][2] names;\toffset:52;\tsize:8;\tsigned:1;

            print fmt: "(%lx) a=%u b=%d c=%d d=%Lu bf=%u name=\\"%s\\" arr={%u,%u,%u,%u} names={\\"%s\\",\\"%s\\"}", REC->__probe_ip, REC->a, REC->b, REC->c, REC->d, REC->bf, __get_str(name), REC->arr[0], REC->arr[1], REC->arr[2], REC->arr[3], __get_str(names[0]), __get_str(names[1])
            """;

    public interface ProbeHit extends TracepointEvent {
        int a();

        short b();

        int c();

        long d();

        byte bf();

        String name();

        long[] arr();

        long arr(int i);

        String names(int i);
    }

    @Test
    void probeEventsBindWithPackedOffsetsSignedLocatorsAndStringArrays() throws Exception {
        EventFormat f = dev.tracepoint.core.format.FormatParser.parse("tp_1/tp_target/format", "tp_1",
                PROBE_FORMAT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // dynamic data from 60: "rec-1" at 60, "first-1" at 66, "" at 74 (just its NUL), the second string faulted
        Records r = new Records(f, 80).i16("b", -1000).i32("c", -70000).i64("d", 0x1122334455667789L)
                .i32("name", (6 << 16) | 60).i32("names", (8 << 16) | 66).bytesAt(56, new String(new char[] {75, 0, 0, 0}))
                .bytesAt(60, "rec-1\0first-1\0\0");
        for (int k = 0; k < 4; k++) {
            r.i32At(36 + 4 * k, 0xfffffff1 + k);
        }
        EventView v = r.i8("a", 207).i8("bf", 3).view();
        ProbeHit e = EventBinding.of(ProbeHit.class, f).attach(v);
        assertThat(e.a()).isEqualTo(207).isEqualTo((int) v.getLong(f.requireField("a")));
        assertThat(e.b()).isEqualTo((short) -1000);
        assertThat(e.c()).isEqualTo(-70000);
        assertThat(e.d()).isEqualTo(0x1122334455667789L);
        assertThat(e.bf()).isEqualTo((byte) 3);
        assertThat(e.name()).isEqualTo("rec-1");
        assertThat(e.arr()).containsExactly(0xfffffff1L, 0xfffffff2L, 0xfffffff3L, 0xfffffff4L);
        assertThat(e.arr(3)).isEqualTo(0xfffffff4L).isEqualTo(v.getElement(f.requireField("arr"), 3));
        assertThat(e.names(0)).isEqualTo("first-1");
        assertThat(e.names(1)).isEmpty();
        assertThat(v.byteLength(f.requireField("names"), 1)).isZero(); // faulted: the kernel prints (fault)
        assertThatThrownBy(() -> e.names(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("no string 2");
        assertThatThrownBy(() -> e.arr(4)).isInstanceOf(DecodeException.class).hasMessageContaining("index 4 outside field arr");
    }

    public interface WrongIndexed {
        String name(int i);
    }

    @Test
    void anIndexedStringAccessorNeedsAStringArray() throws Exception {
        EventFormat f = dev.tracepoint.core.format.FormatParser.parse("tp_1/tp_target/format", "tp_1",
                PROBE_FORMAT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventBinding.of(WrongIndexed.class, f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accessor String name(int) does not fit field name (__data_loc char[]");
    }
}
