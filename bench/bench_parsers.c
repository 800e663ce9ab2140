/* bench_parsers.c — parsing speed and memory of one format.
 *
 *   bench_parsers --format NAME [--repeat N] FILE...
 *
 * Reads every FILE first (reading is not timed), then parses them all N
 * times through the registry (parser_find), counting the orders emitted,
 * and prints MB/s and orders/s per CPU second (one core; the wall-clock
 * figure too) and the process's peak RSS (getrusage).  The
 * emit callback only counts: this measures the parser into order records,
 * not JSON output.  Exit 1 when a file cannot be read or parsed. */
#include "bench_clock.h"
#include "limits.h"
#include "parser.h"
#include "readfile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct counts {
	size_t orders, lines;
};

static int count(void *ctx, struct order *o, struct diags *od)
{
	struct counts *c = ctx;
	(void)od;
	c->orders++;
	c->lines += o->n_lines;
	return 0;
}

int main(int argc, char **argv)
{
	const char *format = NULL;
	long repeat = 1;
	int first = 1;
	while (first < argc && strncmp(argv[first], "--", 2) == 0) {
		if (strcmp(argv[first], "--format") == 0 && first + 1 < argc) {
			format = argv[first + 1];
			first += 2;
		} else if (strcmp(argv[first], "--repeat") == 0 && first + 1 < argc) {
			repeat = strtol(argv[first + 1], NULL, 10);
			first += 2;
		} else {
			break;
		}
	}
	const struct parser *p = format ? parser_find(format) : NULL;
	if (p == NULL || first >= argc || repeat < 1) {
		fprintf(stderr, "usage: bench_parsers --format NAME [--repeat N] FILE...\n"
			"formats: %s\n", parser_format_names);
		return 2;
	}
	size_t n = (size_t)(argc - first), total = 0;
	unsigned char **data = calloc(n, sizeof(*data));
	size_t *len = calloc(n, sizeof(*len));
	if (data == NULL || len == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (read_file(argv[first + (int)i], OG_MAX_MESSAGE_BYTES_DEFAULT, &data[i], &len[i]) < 0) {
			fprintf(stderr, "bench_parsers: %s: %s\n", argv[first + (int)i], strerror(errno));
			return 1;
		}
		total += len[i];
	}
	struct counts c = { 0, 0 };
	size_t errors = 0;
	double t0 = bench_wall_now(), c0 = bench_cpu_now();
	for (long r = 0; r < repeat; r++) {
		for (size_t i = 0; i < n; i++) {
			struct diags d;
			struct parse_output out;
			diags_init(&d);
			parse_output_init(&out, &d);
			out.emit = count;
			out.ctx = &c;
			struct parse_input in = { .data = data[i], .len = len[i], .name = argv[first + (int)i] };
			if (p->parse(&in, &out) < 0 || d.n_errors > 0)
				errors++;
			parse_output_free(&out);
			diags_free(&d);
		}
	}
	double secs = bench_wall_now() - t0, cpu = bench_cpu_now() - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double mb = (double)total * (double)repeat / 1e6;
	printf("format %s: %zu files, %.2f MB x %ld, %zu orders, %zu lines, %.3f s wall, %.3f s CPU\n",
	       format, n, (double)total / 1e6, repeat, c.orders, c.lines, secs, cpu);
	/* CPU time is the one-core figure; wall time also counts waiting for
	 * the CPU on a busy machine. */
	if (cpu <= 0)
		cpu = secs;
	printf("%.1f MB/s  %.0f orders/s  (CPU time; wall: %.1f MB/s)  peak RSS %.1f MB  (%zu files with errors)\n",
	       mb / cpu, (double)c.orders / cpu, mb / secs, (double)ru.ru_maxrss / 1024.0, errors);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(len);
	return errors ? 1 : 0;
}
