/* bench_clock.h — the two clocks of the bench programs: CPU seconds of this
 * process (user + system, getrusage: the one-core figure on a busy machine)
 * and monotonic wall seconds. */
#ifndef ORDERGW_BENCH_CLOCK_H
#define ORDERGW_BENCH_CLOCK_H
#include <sys/resource.h>
#include <time.h>

static inline double bench_cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static inline double bench_wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
