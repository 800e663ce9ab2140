/* driver.c — runs a libFuzzer target without libFuzzer, for `make check`.
 *
 * Each fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput().  With
 * --enable-fuzzing the target links against libFuzzer instead of this file.
 * Here every seed file named on the command line (or found in a named
 * folder) is run as is, then mutated deterministically — bit flips, byte
 * insertions and deletions, truncation, splices of two seeds — for
 * FUZZ_SECONDS (default 3) seconds.  A crash, a sanitizer report or a hang
 * (the test harness's timeout) fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seed { uint8_t *data; size_t len; };
static struct seed *seeds;
static size_t n_seeds, cap_seeds;

static void add_seed_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return;
	struct seed s = { NULL, 0 };
	size_t cap = 0;
	for (;;) {
		if (s.len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (8u << 20))
				break;
			s.data = realloc(s.data, cap);
			if (s.data == NULL)
				abort();
		}
		size_t n = fread(s.data + s.len, 1, cap - s.len, f);
		if (n == 0)
			break;
		s.len += n;
	}
	fclose(f);
	if (n_seeds == cap_seeds) {
		cap_seeds = cap_seeds ? cap_seeds * 2 : 16;
		seeds = realloc(seeds, cap_seeds * sizeof(*seeds));
		if (seeds == NULL)
			abort();
	}
	seeds[n_seeds++] = s;
}

static void add_seed(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_seed_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		add_seed(p);
	}
	closedir(d);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		add_seed(argv[i]);
	const char *env = getenv("FUZZ_SECONDS");
	double seconds = env ? strtod(env, NULL) : 3.0;
	static const uint8_t empty[1];
	LLVMFuzzerTestOneInput(empty, 0);
	for (size_t i = 0; i < n_seeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	if (n_seeds == 0) {
		fprintf(stderr, "no seeds\n");
		return 0;
	}
	size_t runs = 0;
	uint8_t *buf = NULL;
	size_t cap = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 > seconds)
			break;
		const struct seed *s = &seeds[next() % n_seeds];
		size_t len = s->len;
		if (cap < len + 64) {
			cap = len + 64;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		memcpy(buf, s->data, len);
		int n_mut = 1 + (int)(next() % 8);
		for (int m = 0; m < n_mut; m++) {
			size_t pos = len ? next() % len : 0;
			switch (next() % 6) {
			case 0: if (len) buf[pos] ^= (uint8_t)(1u << (next() % 8)); break;
			case 1: if (len) buf[pos] = (uint8_t)next(); break;
			case 2: if (len) { memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; } break;
			case 3: if (len + 1 < cap) { memmove(buf + pos + 1, buf + pos, len - pos); buf[pos] = (uint8_t)next(); len++; } break;
			case 4: len = pos; break;
			case 5: {
				const struct seed *o = &seeds[next() % n_seeds];
				if (o->len && len) {
					size_t from = next() % o->len, k = next() % 32;
					for (size_t j = 0; j < k && pos + j < len && from + j < o->len; j++)
						buf[pos + j] = o->data[from + j];
				}
				break;
			}
			}
		}
		LLVMFuzzerTestOneInput(buf, len);
		runs++;
	}
	fprintf(stderr, "%zu seeds, %zu mutated runs\n", n_seeds, runs);
	free(buf);
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].data);
	free(seeds);
	return 0;
}
