package dev.tracepoint.skb;

/** Receives each drop a {@link DropMonitor} sees, on the monitor's consumer thread. */
@FunctionalInterface
public interface DropListener {

    /**
     * @param drop a reused flyweight, valid only during this call ({@link Drop#toRecord()} to keep it)
     */
    void onDrop(Drop drop);
}
