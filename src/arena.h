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
