package dev.tracepoint.core.internal.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Copies every record it is handed, for assertions. */
class Recorder implements RecordHandler {

    record Rec(int cpu, int type, int misc, int size, byte[] bytes, long segmentAddress, long offset) {
        long word(int offset) {
            return MemorySegment.ofArray(bytes).get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
    }

    record Corruption(int cpu, String problem, long skippedBytes) {
    }

    final List<Rec> records = new ArrayList<>();
    final List<Corruption> corruptions = new ArrayList<>();

    @Override
    public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
        byte[] bytes = segment.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
        records.add(new Rec(cpu, type, misc, size, bytes, segment.address(), offset));
    }

    @Override
    public void onCorruption(int cpu, String problem, long skippedBytes) {
        corruptions.add(new Corruption(cpu, problem, skippedBytes));
    }
}
