package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.testing.KernelTests;

import jdk.jfr.Category;
import jdk.jfr.EventFactory;
import jdk.jfr.EventType;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;
import jdk.jfr.ValueDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The JFR event types planned from real format files: names, categories, field types and annotations. */
class JfrEventPlanTest {

    static EventFormat corpus(String system, String event) throws Exception {
        return FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18").resolve(system).resolve(event).resolve("format"));
    }

    /** The event type made from the plan (registered: only a registered type has an {@code EventType}). */
    static EventType type(JfrEventPlan plan) {
        return EventFactory.create(plan.annotations(), plan.descriptors()).getEventType();
    }

    @Test
    void signalGenerateHasTheMetadataThenEachFieldTypedByWidthAndSign() throws Exception {
        JfrEventPlan plan = JfrEventPlan.of(corpus("signal", "signal_generate"), true);
        assertThat(plan.eventName()).isEqualTo("tracepoint.signal.signal_generate");
        EventType t = type(plan);
        assertThat(t.getName()).isEqualTo("tracepoint.signal.signal_generate");
        assertThat(t.getLabel()).isEqualTo("signal:signal_generate");
        assertThat(t.getCategoryNames()).containsExactly("Kernel", "signal");
        assertThat(t.getAnnotation(Name.class).value()).isEqualTo("tracepoint.signal.signal_generate");
        assertThat(plan.slots()).extracting(JfrEventPlan.Slot::name).containsExactly(
                "kernelTime", "kernelNanos", "cpu", "currentPid", "currentTid", "currentComm",
                "sig", "errno", "code", "comm", "pid", "group", "result"); // its print fmt has no table
        assertThat(t.getField("kernelTime").getAnnotation(Timestamp.class).value()).isEqualTo(Timestamp.TICKS);
        assertThat(t.getField("kernelTime").getTypeName()).isEqualTo("long");
        assertThat(t.getField("sig").getTypeName()).isEqualTo("int");
        assertThat(t.getField("sig").getAnnotation(Unsigned.class)).isNull();
        assertThat(t.getField("comm").getTypeName()).isEqualTo("java.lang.String");
        assertThat(t.getField("pid").getTypeName()).isEqualTo("int");
        assertThat(t.getField("accounted")).isNull();
        assertThat(type(JfrEventPlan.of(corpus("kmem", "kmem_cache_alloc"), false)).getField("accounted").getTypeName())
                .isEqualTo("boolean");
        assertThat(t.getField("sig").getDescription()).isEqualTo("int sig (offset 8, size 4, signed)");
    }

    @Test
    void pointersAreMemoryAddressesAndUnsignedFieldsAreUnsignedWithTheirSymbolicName() throws Exception {
        EventType t = type(JfrEventPlan.of(corpus("skb", "kfree_skb"), false));
        assertThat(t.getField("currentComm")).isNull();
        ValueDescriptor skb = t.getField("skbaddr");
        assertThat(skb.getTypeName()).isEqualTo("long");
        assertThat(skb.getAnnotation(MemoryAddress.class)).isNotNull();
        assertThat(t.getField("protocol").getTypeName()).isEqualTo("short");
        assertThat(t.getField("protocol").getAnnotation(Unsigned.class)).isNotNull();
        assertThat(t.getField("reason").getTypeName()).isEqualTo("int");
        assertThat(t.getField("reason").getAnnotation(Unsigned.class)).isNotNull();
        assertThat(t.getField("reasonName").getTypeName()).isEqualTo("java.lang.String");
        assertThat(t.getCategoryNames()).containsExactly("Kernel", "skb");
    }

    @Test
    void byteArraysAreTextAndFlagsHaveTheirNames() throws Exception {
        JfrEventPlan tcp = JfrEventPlan.of(corpus("tcp", "tcp_retransmit_skb"), false);
        assertThat(tcp.slots()).filteredOn(s -> s.name().equals("saddr_v6"))
                .singleElement().extracting(JfrEventPlan.Slot::kind).isEqualTo(JfrEventPlan.Kind.ARRAY_TEXT);
        assertThat(type(tcp).getField("saddr").getTypeName()).isEqualTo("java.lang.String");
        JfrEventPlan kmalloc = JfrEventPlan.of(corpus("kmem", "kmalloc"), false);
        assertThat(kmalloc.slots()).extracting(JfrEventPlan.Slot::kind).contains(JfrEventPlan.Kind.FLAGS);
        assertThat(type(kmalloc).getField("gfp_flagsName")).isNotNull();
    }

    @Test
    void aFieldNamedLikeTheMetadataOrAReservedJfrFieldIsPrefixed() throws Exception {
        EventFormat f = FormatParser.parse("test", "test", """
                name: clash
                ID: 1
                format:
                \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
                \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

                \tfield:int cpu;\toffset:8;\tsize:4;\tsigned:1;
                \tfield:u64 duration;\toffset:16;\tsize:8;\tsigned:0;
                \tfield:u64 startTime;\toffset:24;\tsize:8;\tsigned:0;
                \tfield:u32 new;\toffset:32;\tsize:4;\tsigned:0;

                print fmt: "cpu=%d", REC->cpu
                """.getBytes());
        JfrEventPlan plan = JfrEventPlan.of(f, true);
        assertThat(plan.slots()).extracting(JfrEventPlan.Slot::name)
                .contains("cpu", "field_cpu", "field_duration", "field_startTime", "field_new");
        assertThat(type(plan).getFields()).extracting(ValueDescriptor::getName).doesNotHaveDuplicates();
    }

    @Test
    void everyFormatOfTheCorpusMakesAnEventType() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(KernelTests.corpus().resolve("kernel-6.18"))) {
            files = s.filter(p -> p.getFileName().toString().equals("format")).toList();
        }
        assertThat(files).hasSizeGreaterThan(1000);
        int made = 0;
        for (Path p : files) {
            EventFormat f;
            try {
                f = FormatParser.parse(p);
            } catch (Exception unparsable) {
                continue; // the parser's tests cover these
            }
            JfrEventPlan plan = JfrEventPlan.of(f, true);
            List<AnnotationElement> a = new ArrayList<>(plan.annotations());
            a.add(new AnnotationElement(Registered.class, false)); // not registered: no recording of the JVM sees them
            jdk.jfr.Event e = EventFactory.create(a, plan.descriptors()).newEvent();
            List<JfrEventPlan.Slot> slots = plan.slots();
            for (int i = 0; i < slots.size(); i++) {
                e.set(i, switch (slots.get(i).descriptor().getTypeName()) {
                    case "byte" -> (byte) 1;
                    case "short" -> (short) 1;
                    case "int" -> 1;
                    case "long" -> 1L;
                    case "boolean" -> true;
                    default -> "x";
                });
            }
            made++;
        }
        assertThat(made).isGreaterThan(1000);
    }
}
