/* arena.c — chunked bump allocator with a byte limit (see arena.h). */
#include "arena.h"
#include "log.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64u * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	size_t limit, total;
	bool failed;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = malloc(sizeof(*c) + size);
	if (c == NULL)
		fatal("out of memory (arena chunk of %zu bytes)", size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *arena_new(size_t limit)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (a == NULL)
		fatal("out of memory");
	a->limit = limit;
	a->head = chunk_new(ARENA_CHUNK);
	a->total = ARENA_CHUNK;
	return a;
}

void arena_free(struct arena **ap)
{
	struct arena *a = *ap;
	if (a == NULL)
		return;
	for (struct chunk *c = a->head, *n; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
	*ap = NULL;
}

void arena_reset(struct arena *a)
{
	struct chunk *c = a->head;
	while (c->next != NULL) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	/* c is the first chunk ever made: the oldest is last in the list. */
	c->used = 0;
	a->head = c;
	a->total = c->size;
	a->failed = false;
}

/* A new chunk for n bytes (the current one is full), or NULL past the limit. */
static __attribute__((noinline)) void *arena_take_new(struct arena *a, size_t n)
{
	const size_t ma = sizeof(max_align_t);
	size_t need = (n + ma - 1) / ma * ma;
	if (need < n)
		goto fail;
	size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
	if (a->total + size > a->limit || a->total + size < size)
		goto fail;
	struct chunk *c = chunk_new(size);
	c->next = a->head;
	a->head = c;
	a->total += size;
	c->used = n;
	return c->data;
fail:
	a->failed = true;
	return NULL;
}

/* n bytes at the given alignment (a power of two), not zeroed.  Strings
 * take align 1, so short ones pack without padding.  Inline: a parser
 * takes a million strings from a 10 MB interchange. */
static inline __attribute__((always_inline)) void *arena_take(struct arena *a, size_t n, size_t align)
{
	if (a->failed)
		return NULL;
	struct chunk *c = a->head;
	size_t off = (c->used + align - 1) & ~(align - 1);
	if (off > c->size || c->size - off < n)
		return arena_take_new(a, n);
	c->used = off + n;
	return (char *)c->data + off;
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_take(a, n, sizeof(max_align_t));
	if (p != NULL)
		memset(p, 0, n);
	return p;
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
	return arena_take(a, n, sizeof(max_align_t));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (s == NULL || n == SIZE_MAX)
		return NULL;
	char *p = arena_take(a, n + 1, 1);
	if (p == NULL)
		return NULL;
	arena_copy_bytes(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_take(a, (size_t)n + 1, 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void *grow(struct arena *a, void *old, size_t elem, size_t *cap, size_t want, bool zero)
{
	if (want <= *cap)
		return old;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < want)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem) {
		a->failed = true;
		return NULL;
	}
	size_t have = *cap * elem, more = ncap * elem - have;
	struct chunk *c = a->head;
	char *p;
	if (old != NULL && !a->failed && (char *)old + have == (char *)c->data + c->used &&
	    c->size - c->used >= more) {
		/* The array is the newest allocation: grow it where it is. */
		p = old;
		c->used += more;
	} else {
		p = arena_take(a, ncap * elem, sizeof(max_align_t));
		if (p == NULL)
			return NULL;
		if (old != NULL)
			memcpy(p, old, have);
	}
	if (zero)
		memset(p + have, 0, more);
	*cap = ncap;
	return p;
}

void *arena_grow(struct arena *a, void *old, size_t elem, size_t *cap, size_t want)
{
	return grow(a, old, elem, cap, want, true);
}

void *arena_grow_uninit(struct arena *a, void *old, size_t elem, size_t *cap, size_t want)
{
	return grow(a, old, elem, cap, want, false);
}

bool arena_failed(const struct arena *a) { return a->failed; }
size_t arena_used(const struct arena *a) { return a->total; }
size_t arena_limit(const struct arena *a) { return a->limit; }
