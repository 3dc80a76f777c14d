package dev.tracepoint.skb;

/** Receives each drop a {@link DropMonitor} sees, on the monitor's consumer thread. */
@FunctionalInterface
public interface DropListener {

    /**
     * Handles one drop, or one consumed packet when the monitor includes them. An exception thrown here goes
     * to the monitor's error listener and the monitor goes on.
     *
     * @param drop a reused flyweight, valid only during this call ({@link Drop#toRecord()} to keep it)
     */
    void onDrop(Drop drop);
}
