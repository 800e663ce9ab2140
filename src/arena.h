/* arena.h — a per-document allocator freed in one call.
 *
 * A parser allocates every string and array of one order here, so that a
 * bad document can never leak and memory stays bounded by the largest
 * order, not by the file.  The arena has a byte limit: past it every
 * allocation returns NULL and arena_failed() turns true, and the caller
 * reports "order too large" instead of crashing.  Out-of-memory from
 * malloc itself is fatal (the process cannot go on). */
#ifndef ORDERGW_ARENA_H
#define ORDERGW_ARENA_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct arena;

struct arena *arena_new(size_t limit);
void arena_free(struct arena **a);
/* Forget everything allocated, keep the first chunk for reuse. */
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);           /* zeroed */
/* Like arena_alloc, not zeroed: for memory the caller writes whole. */
void *arena_alloc_raw(struct arena *a, size_t n);
/* Copy n bytes and add a NUL; NULL on limit.  Strings are not aligned or
 * zeroed first (they are written whole). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* memcpy for the short strings a parser copies into its arena by the
 * million: up to 16 bytes as two overlapping fixed-size moves instead of
 * a call, never reading or writing outside [0, n). */
static inline void arena_copy_bytes(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	if (n >= 8 && n <= 16) {
		uint64_t x, y;
		memcpy(&x, s, 8);
		memcpy(&y, s + n - 8, 8);
		memcpy(d, &x, 8);
		memcpy(d + n - 8, &y, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}
char *arena_strdup(struct arena *a, const char *s);      /* NULL s -> NULL */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an array of elem-sized items to hold at least want items; the new
 * items are zeroed.  The newest allocation grows in place when it can. */
void *arena_grow(struct arena *a, void *old, size_t elem, size_t *cap, size_t want);
/* The same without zeroing the new items (the caller initialises each
 * item as it takes it): the lines of a large order are zeroed once, not
 * once per doubling plus once when used. */
void *arena_grow_uninit(struct arena *a, void *old, size_t elem, size_t *cap, size_t want);
bool arena_failed(const struct arena *a);
size_t arena_used(const struct arena *a);
/* The byte limit the arena was made with. */
size_t arena_limit(const struct arena *a);

#endif
