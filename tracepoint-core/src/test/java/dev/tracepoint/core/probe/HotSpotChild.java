package dev.tracepoint.core.probe;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of the HotSpot marker tests: collects garbage {@code args[0]} times ({@code System.gc()}, a full
 * collection under the serial collector), then starts two named threads, one a daemon, each printing what it
 * knows of itself: {@code thread NAME tid=NATIVE_TID jtid=JAVA_TID daemon=BOOLEAN}.
 */
public final class HotSpotChild {

    private HotSpotChild() {
    }

    /** @param args the number of collections */
    public static void main(String[] args) throws Exception {
        int gcs = Integer.parseInt(args[0]);
        for (int i = 0; i < gcs; i++) {
            System.gc();
        }
        for (boolean daemon : new boolean[] {false, true}) {
            Thread t = new Thread(() -> {
                try {
                    // /proc/thread-self is PID/task/TID
                    String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                    Thread me = Thread.currentThread();
                    System.out.println("thread " + me.getName() + " tid=" + tid + " jtid=" + me.threadId() + " daemon=" + me.isDaemon());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, daemon ? "tp-daemon-worker" : "tp-worker");
            t.setDaemon(daemon);
            t.start();
            t.join();
        }
        System.out.println("gcs=" + gcs);
    }
}
