package dev.tracepoint.core.internal.dispatch;

/**
 * Paces a warm-up loop by the JIT compilers: the loop reports each step it ran, and while a compiler thread
 * is at work ({@link JitIdle#busy()}: the step crossed a compile threshold, or what an earlier one queued is
 * still compiling), the pace sleeps until they are all idle ({@link JitIdle#await(long)}), so that the next
 * step runs the newly compiled code. Running on meanwhile, in the interpreter or in profiled code, only burnt
 * CPU: before this pacing a stream's warm-up ran its path for a fixed 150,000 records and until a round had
 * not been 5% faster for 150 ms, on top of the compilers' own CPU. The loop ends once it did its least work
 * and no compiler is at work: what it queued is compiled.
 */
final class JitPace {

    private final long deadline;
    private long work;

    /**
     * @param maxNanos how long the loop may take, waits included
     */
    JitPace(long maxNanos) {
        this.deadline = System.nanoTime() + maxNanos;
    }

    /**
     * After a step of the loop: if a compiler is at work now, waits until they are all idle.
     *
     * @param units the step's work (records, passes)
     */
    void step(long units) {
        work += units;
        if (JitIdle.busy()) {
            JitIdle.await(Math.max(0, deadline - System.nanoTime()));
        }
    }

    /**
     * @param minWork the least work in all
     * @return whether the loop is done: it did {@code minWork} and no compiler is at work, or its time is up
     */
    boolean done(long minWork) {
        return work >= minWork && !JitIdle.busy() || System.nanoTime() >= deadline;
    }

    /** {@return the work reported so far} */
    long work() {
        return work;
    }
}
