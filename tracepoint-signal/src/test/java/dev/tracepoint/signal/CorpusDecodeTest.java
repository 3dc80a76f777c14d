package dev.tracepoint.signal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed signal events decode every layout of the corpus: the 12-byte headers of 2.6.33
 * ({@code common_lock_depth}) and 3.x ({@code common_padding}), the missing {@code group}/{@code result}
 * before 3.4, {@code comm[TASK_COMM_LEN]} spelled as a macro, and today's 8-byte header.
 */
class CorpusDecodeTest {

    static final int TARGET_PID = 4242;
    static final int SENDER_PID = 777;
    static final int SENDER_TID = 778;

    /** Builds a record as the kernel would: each field little-endian at the offset the format gives. */
    static byte[] record(EventFormat f, Object... nameValues) {
        ByteBuffer b = ByteBuffer.allocate(f.fixedSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) f.id());
        for (int i = 0; i < nameValues.length; i += 2) {
            Field field = f.field((String) nameValues[i]);
            if (field == null) {
                continue; // this kernel lacks it
            }
            Object v = nameValues[i + 1];
            if (v instanceof String s) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                b.put(field.offset(), bytes, 0, Math.min(bytes.length, field.size()));
            } else {
                long n = ((Number) v).longValue();
                switch (field.size()) {
                    case 2 -> b.putShort(field.offset(), (short) n);
                    case 4 -> b.putInt(field.offset(), (int) n);
                    case 8 -> b.putLong(field.offset(), n);
                    default -> throw new AssertionError("size " + field.size());
                }
            }
        }
        return b.array();
    }

    static EventView view(EventFormat f, byte[] bytes) {
        return new EventReader().read(f, MemorySegment.ofArray(bytes), 0, bytes.length, SampleMetadata.of(3, SENDER_PID, SENDER_TID, 123_456_789L));
    }

    static EventFormat parse(String dir, String event) throws Exception {
        Path p = KernelTests.corpus().resolve(dir).resolve("signal").resolve(event).resolve("format");
        return FormatParser.parse(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"variants/2.6.33-x86_64", "variants/3.2-x86_64", "variants/3.4-x86_64", "variants/4.19-x86_64",
        "variants/5.10-x86_64", "variants/5.17-x86_64", "variants/6.1-x86_64", "kernel-6.18"})
    void signalGenerateDecodesThroughTheTypedApi(String dir) throws Exception {
        EventFormat f = parse(dir, "signal_generate");
        byte[] bytes = record(f, "sig", 34, "errno", 0, "code", -1, "comm", "sleep", "pid", TARGET_PID,
                "group", 1, "result", Signals.ALREADY_PENDING);
        EventView v = view(f, bytes);
        SignalGenerate e = EventBinding.of(SignalGenerate.class, f).attach(v);

        assertThat(e.sig()).isEqualTo(34);
        assertThat(e.signalName()).isEqualTo("SIGRTMIN+2");
        assertThat(e.code()).isEqualTo(-1);
        assertThat(e.codeName()).isEqualTo("SI_QUEUE");
        assertThat(e.errno()).isZero();
        assertThat(e.targetPid()).isEqualTo(TARGET_PID);
        assertThat(e.targetComm()).isEqualTo("sleep");
        byte[] dst = new byte[16];
        assertThat(e.targetComm(dst)).isEqualTo(5);
        assertThat(new String(dst, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("sleep");
        assertThat(e.senderPid()).isEqualTo(SENDER_PID);
        assertThat(e.senderTid()).isEqualTo(SENDER_TID);
        assertThat(e.cpu()).isEqualTo(3);

        boolean modern = f.field("result") != null;
        assertThat(modern).as("group/result appeared in 3.4").isEqualTo(!dir.contains("2.6.33") && !dir.contains("3.2-"));
        assertThat(e.hasGroup()).isEqualTo(modern);
        assertThat(e.hasResult()).isEqualTo(modern);
        SignalGenerateRecord copy = SignalGenerateRecord.from(e, null);
        if (modern) {
            assertThat(e.group()).isEqualTo(1);
            assertThat(e.result()).isEqualTo(Signals.ALREADY_PENDING);
            assertThat(e.resultName()).isEqualTo("ALREADY_PENDING");
            assertThat(e.failed()).isTrue();
            assertThat(copy.result()).isEqualTo(Signals.ALREADY_PENDING);
            assertThat(copy.resultName()).isEqualTo("ALREADY_PENDING");
            assertThat(copy.group()).isEqualTo(1);
        } else {
            assertThatThrownBy(e::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("result");
            assertThatThrownBy(e::group).isInstanceOf(IllegalStateException.class).hasMessageContaining("group");
            assertThat(e.resultName()).isNull();
            assertThat(e.failed()).isFalse();
            assertThat(EventBinding.of(SignalGenerate.class, f).absentFields()).containsExactlyInAnyOrder("group", "result");
            assertThat(copy.hasResult()).isFalse();
            assertThat(copy.hasGroup()).isFalse();
            assertThat(copy.resultName()).isNull();
        }
        assertThat(copy.sig()).isEqualTo(34);
        assertThat(copy.targetPid()).isEqualTo(TARGET_PID);
        assertThat(copy.targetComm()).isEqualTo("sleep");
        assertThat(copy.senderPid()).isEqualTo(SENDER_PID);
        assertThat(copy.senderTid()).isEqualTo(SENDER_TID);
        assertThat(copy.senderComm()).isNull();
        assertThat(copy.senderUid()).isEqualTo(TaskTable.UNKNOWN_UID);
        assertThat(copy.timeNanos()).isEqualTo(123_456_789L);
        assertThat(copy.cpu()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"variants/2.6.33-x86_64", "variants/3.2-x86_64", "variants/3.4-x86_64", "variants/4.19-x86_64",
        "variants/5.10-x86_64", "kernel-6.18"})
    void signalDeliverDecodesThroughTheTypedApi(String dir) throws Exception {
        EventFormat f = parse(dir, "signal_deliver");
        byte[] bytes = record(f, "sig", 10, "errno", 0, "code", 0, "sa_handler", 0x55d0_c1a0_1000L, "sa_flags", 0x1400_0000L);
        SignalDeliver e = EventBinding.of(SignalDeliver.class, f).attach(view(f, bytes));
        assertThat(e.sig()).isEqualTo(10);
        assertThat(e.signalName()).isEqualTo("SIGUSR1");
        assertThat(e.codeName()).isEqualTo("SI_USER");
        assertThat(e.saHandler()).isEqualTo(0x55d0_c1a0_1000L);
        assertThat(e.saFlags()).isEqualTo(0x1400_0000L);
        assertThat(e.hasHandler()).isTrue();
        assertThat(e.targetPid()).isEqualTo(SENDER_PID);
        assertThat(e.targetTid()).isEqualTo(SENDER_TID);
        SignalDeliverRecord copy = SignalDeliverRecord.from(e, null);
        assertThat(copy.saHandler()).isEqualTo(0x55d0_c1a0_1000L);
        assertThat(copy.targetPid()).isEqualTo(SENDER_PID);
        assertThat(copy.hasHandler()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"variants/2.6.33-x86_64", "variants/3.4-x86_64", "kernel-6.18"})
    void theFlyweightMovesFromRecordToRecord(String dir) throws Exception {
        EventFormat f = parse(dir, "signal_generate");
        EventReader reader = new EventReader();
        SignalGenerate e = EventBinding.of(SignalGenerate.class, f).attach(reader.view());
        byte[] a = record(f, "sig", 9, "comm", "nginx", "pid", 1337);
        byte[] b = record(f, "sig", 15, "comm", "bash", "pid", 42);
        reader.read(f, MemorySegment.ofArray(a), 0, a.length);
        assertThat(e.signalName()).isEqualTo("SIGKILL");
        assertThat(e.targetComm()).isEqualTo("nginx");
        reader.read(f, MemorySegment.ofArray(b), 0, b.length);
        assertThat(e.signalName()).isEqualTo("SIGTERM");
        assertThat(e.targetComm()).isEqualTo("bash");
        assertThat(e.targetPid()).isEqualTo(42);
    }
}
