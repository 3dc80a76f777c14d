package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import org.junit.jupiter.api.Test;

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

    @Test
    void bindingFailsFastNamingWhatDoesNotFit() throws Exception {
        EventFormat modern = Records.format("kernel-6.18/signal/signal_generate/format");
        assertThatThrownBy(() -> EventBinding.of(NeedsMissing.class, modern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("required field 'no_such_field'").hasMessageContaining("signal:signal_generate")
                .hasMessageContaining("fields: sig, errno, code, comm, pid, group, result");
        EventFormat skb = Records.format("kernel-6.18/skb/kfree_skb/format");
        assertThatThrownBy(() -> EventBinding.of(WrongWidth.class, skb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accessor int skbaddr() does not fit field skbaddr");
        assertThatThrownBy(() -> EventBinding.of(NotPublic.class, modern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be public");
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
}
