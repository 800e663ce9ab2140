/* bench_xmlbare.c — libxml2's bare parse of the same files, the yardstick
 * for the UBL and cXML parsers.
 *
 *   bench_xmlbare [--plain] [--repeat N] FILE...
 *
 * Reads every FILE first (not timed), then builds and frees a tree of each
 * N times with xmlReadMemory, with the options parsers/xmlsafe.c uses
 * (no network, no entities, compact) or, with --plain, libxml2's defaults
 * (what `xmllint --noout` does).  Prints MB/s per CPU second, the wall
 * figure and peak RSS like bench_parsers.  Exit 1 when a file cannot be
 * read or parsed.  The buffers belong to main; nothing outlives it. */
#include "bench_clock.h"
#include "limits.h"
#include "readfile.h"
#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv)
{
	long repeat = 1;
	int first = 1, options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				 XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT |
				 XML_PARSE_BIG_LINES;
	while (first < argc && strncmp(argv[first], "--", 2) == 0) {
		if (strcmp(argv[first], "--plain") == 0) {
			options = 0;
			first++;
		} else if (strcmp(argv[first], "--repeat") == 0 && first + 1 < argc) {
			repeat = strtol(argv[first + 1], NULL, 10);
			first += 2;
		} else {
			break;
		}
	}
	if (first >= argc || repeat < 1) {
		fprintf(stderr, "usage: bench_xmlbare [--plain] [--repeat N] FILE...\n");
		return 2;
	}
	size_t n = (size_t)(argc - first), total = 0, errors = 0;
	unsigned char **data = calloc(n, sizeof(*data));
	size_t *len = calloc(n, sizeof(*len));
	if (data == NULL || len == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (read_file(argv[first + (int)i], OG_MAX_MESSAGE_BYTES_DEFAULT, &data[i], &len[i]) < 0) {
			fprintf(stderr, "bench_xmlbare: %s: %s\n", argv[first + (int)i], strerror(errno));
			return 1;
		}
		total += len[i];
	}
	xmlInitParser();
	double t0 = bench_wall_now(), c0 = bench_cpu_now();
	for (long r = 0; r < repeat; r++) {
		for (size_t i = 0; i < n; i++) {
			xmlDocPtr doc = xmlReadMemory((const char *)data[i], (int)len[i], NULL, NULL, options);
			if (doc == NULL)
				errors++;
			xmlFreeDoc(doc);
		}
	}
	double secs = bench_wall_now() - t0, cpu = bench_cpu_now() - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double mb = (double)total * (double)repeat / 1e6;
	printf("xml %s: %zu files, %.2f MB x %ld, %.3f s wall, %.3f s CPU\n",
	       options ? "ordergw options" : "plain", n, (double)total / 1e6, repeat, secs, cpu);
	if (cpu <= 0)
		cpu = secs;
	printf("%.1f MB/s  %.0f docs/s  (CPU time; wall: %.1f MB/s)  peak RSS %.1f MB  (%zu files with errors)\n",
	       mb / cpu, (double)n * (double)repeat / cpu, mb / secs, (double)ru.ru_maxrss / 1024.0, errors);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(len);
	xmlCleanupParser();
	return errors ? 1 : 0;
}
