/* recwriter.h — write order records on a second thread while a parser
 * reads on.
 *
 * `ordergw parse` of a large interchange spends about half as long
 * writing the JSON of each order as reading it; with the records handed
 * over (parse_output.adopt, parsers/parser.h) the two overlap on two
 * cores.  At most RECWRITER_SLOTS records wait at any time, so memory
 * stays bounded by a few orders, not by the file; records are written in
 * the order they were handed over. */
#ifndef ORDERGW_RECWRITER_H
#define ORDERGW_RECWRITER_H
#include "order.h"

#define RECWRITER_SLOTS 32
#define RECWRITER_BATCH 16     /* records queued before a sleeping writer is woken */

struct recwriter;

/* write(ctx, o) is called on the writer thread for each record, in order;
 * -1 from it makes the next recwriter_adopt() return -1 (stop parsing). */
struct recwriter *recwriter_new(int (*write)(void *ctx, struct order *o), void *ctx);
/* Start the thread now and have it read one byte of every page of
 * data[0..len) first (the mapped input, so that the parser finds it in
 * memory); data must stay mapped until recwriter_free(). */
void recwriter_prefault(struct recwriter *w, const void *data, size_t len);
/* Take o and its arena *arena (which holds nothing else); put an arena
 * with the same limit, empty, in *arena.  The thread starts at the first
 * call.  0, or -1 when a write failed. */
int recwriter_adopt(struct recwriter *w, struct order *o, struct arena **arena);
/* Wait until every record handed over has been written. */
void recwriter_drain(struct recwriter *w);
/* Drain, stop the thread, free what is left; NULLs *w.  0, or -1 when a
 * write failed. */
int recwriter_free(struct recwriter **w);

#endif
