/* recwriter.c — see recwriter.h.
 *
 * One mutex and one condition variable: a queue of records to write and
 * a stack of written-out arenas to reuse.  A sleeping writer is woken
 * when RECWRITER_BATCH records wait (or at the end), a waiting parser when
 * a record has been written; nobody is woken who is not asleep.
 * Arenas in circulation: the one the parser holds, the queued ones, the
 * one being written and the spares — at most RECWRITER_SLOTS + 2, made
 * on demand.  If the thread cannot be started the records are written on
 * the caller's thread instead (same output, no overlap). */
#include "recwriter.h"
#include "limits.h"
#include "log.h"
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>

struct item {
	struct order *o;
	struct arena *a;
	size_t bytes;
};

struct recwriter {
	int (*write)(void *ctx, struct order *o);
	void *ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started, no_thread, stopping, busy, failed;
	bool writer_asleep, parser_asleep;
	bool pinned;                  /* the parser thread too, until recwriter_free */
	const unsigned char *pf;      /* input to fault in first (recwriter_prefault) */
	size_t pf_len;
	cpu_set_t parser_cpus;        /* its mask before */
	struct item q[RECWRITER_SLOTS];
	size_t head, count;
	size_t queued_bytes;          /* arena bytes of the queued records */
	struct arena *spare[RECWRITER_SLOTS + 2];
	size_t n_spare, n_made;
};

struct recwriter *recwriter_new(int (*write)(void *ctx, struct order *o), void *ctx)
{
	struct recwriter *w = calloc(1, sizeof(*w));
	if (w == NULL)
		fatal("out of memory");
	w->write = write;
	w->ctx = ctx;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	return w;
}

static void *run(void *arg)
{
	struct recwriter *w = arg;
	/* Fault the input in while the parser starts reading it: a page a
	 * time ahead of the parser instead of all of it (MAP_POPULATE) or
	 * page by page on the parser's own time. */
	if (w->pf != NULL) {
		unsigned sum = 0;
		for (size_t i = 0; i < w->pf_len; i += 4096)
			sum += __atomic_load_n(&w->pf[i], __ATOMIC_RELAXED);
		__asm__ volatile("" : : "r"(sum));
	}
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->count == 0 && !w->stopping) {
			w->writer_asleep = true;
			pthread_cond_wait(&w->cv, &w->mu);
			w->writer_asleep = false;
		}
		if (w->count == 0)
			break;
		struct item it = w->q[w->head];
		w->queued_bytes -= it.bytes;
		w->head = (w->head + 1) % RECWRITER_SLOTS;
		w->count--;
		w->busy = true;
		bool skip = w->failed;
		pthread_mutex_unlock(&w->mu);
		int r = skip ? -1 : w->write(w->ctx, it.o);
		arena_reset(it.a);
		pthread_mutex_lock(&w->mu);
		w->spare[w->n_spare++] = it.a;
		w->busy = false;
		if (r < 0)
			w->failed = true;
		if (w->parser_asleep)
			pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The parser waits for the writer (which must not be asleep then). */
static void sleep_parser(struct recwriter *w)
{
	pthread_cond_broadcast(&w->cv);
	w->parser_asleep = true;
	pthread_cond_wait(&w->cv, &w->mu);
	w->parser_asleep = false;
}

/* The parser and the writer each on a CPU of its own for the run: left
 * to itself the scheduler sometimes put both on one CPU for the whole
 * run (measured: a third of the runs as slow as one thread).  Only when
 * two CPUs are allowed; the parser's own mask comes back in
 * recwriter_free().  No error when it cannot be set. */
static void place_threads(struct recwriter *w)
{
	cpu_set_t one;
	int here = sched_getcpu();
	if (here < 0 || sched_getaffinity(0, sizeof(w->parser_cpus), &w->parser_cpus) != 0 ||
	    CPU_COUNT(&w->parser_cpus) < 2)
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (c == here || !CPU_ISSET(c, &w->parser_cpus))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (pthread_setaffinity_np(w->thread, sizeof(one), &one) != 0)
			return;
		CPU_ZERO(&one);
		CPU_SET(here, &one);
		w->pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
		return;
	}
}

static void start(struct recwriter *w)
{
	if (w->started || w->no_thread)
		return;
	if (pthread_create(&w->thread, NULL, run, w) == 0) {
		w->started = true;
		place_threads(w);
	} else {
		w->no_thread = true;
	}
}

void recwriter_prefault(struct recwriter *w, const void *data, size_t len)
{
	if (w->started || w->no_thread)
		return;
	w->pf = data;
	w->pf_len = len;
	start(w);
}

int recwriter_adopt(struct recwriter *w, struct order *o, struct arena **arena)
{
	start(w);
	if (w->no_thread) {
		int r = w->failed ? -1 : w->write(w->ctx, o);
		arena_reset(*arena);
		if (r < 0)
			w->failed = true;
		return r;
	}
	size_t limit = arena_limit(*arena);
	struct arena *next = NULL;
	bool make = false;
	pthread_mutex_lock(&w->mu);
	/* Room: a free slot, and (unless the queue is empty) the bytes
	 * waiting under OG_PARSE_QUEUE_BYTES, so that a file of large orders
	 * never has more than that in flight. */
	size_t bytes = arena_used(*arena);
	while (w->count == RECWRITER_SLOTS || (w->count > 0 && w->queued_bytes + bytes > OG_PARSE_QUEUE_BYTES))
		sleep_parser(w);
	w->q[(w->head + w->count) % RECWRITER_SLOTS] = (struct item){ o, *arena, bytes };
	w->queued_bytes += bytes;
	w->count++;
	/* A sleeping writer is woken for a batch, not for every record:
	 * a wake-up per order cost more than the overlap gained. */
	if (w->writer_asleep && w->count >= RECWRITER_BATCH)
		pthread_cond_broadcast(&w->cv);
	while (w->n_spare == 0 && w->n_made >= RECWRITER_SLOTS + 1)
		sleep_parser(w);
	if (w->n_spare > 0) {
		next = w->spare[--w->n_spare];
	} else {
		w->n_made++;
		make = true;
	}
	int r = w->failed ? -1 : 0;
	pthread_mutex_unlock(&w->mu);
	*arena = make ? arena_new(limit) : next;
	return r;
}

void recwriter_drain(struct recwriter *w)
{
	if (w == NULL || !w->started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->count > 0 || w->busy)
		sleep_parser(w);
	pthread_mutex_unlock(&w->mu);
}

int recwriter_free(struct recwriter **wp)
{
	struct recwriter *w = *wp;
	if (w == NULL)
		return 0;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stopping = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	if (w->pinned)
		sched_setaffinity(0, sizeof(w->parser_cpus), &w->parser_cpus);
	for (size_t i = 0; i < w->n_spare; i++)
		arena_free(&w->spare[i]);
	int r = w->failed ? -1 : 0;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	*wp = NULL;
	return r;
}
