/* uprobe-loop N: calls tp_hit() N times and prints its own cost per call (CLOCK_MONOTONIC and CPU time of the
 * process), so that a uprobe on tp_hit shows what each hit costs the traced process. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) long tp_hit(long i) {
    __asm__ volatile("" ::: "memory");
    return i * 3;
}

static double seconds(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long sum = 0;
    double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++)
        sum += tp_hit(i);
    double w = seconds(CLOCK_MONOTONIC) - w0, c = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("LOOP calls=%ld ns_per_call=%.1f cpu_ns_per_call=%.1f sum=%ld\n", n, w * 1e9 / n, c * 1e9 / n, sum);
    return 0;
}
