/* reply.h — a customer's answer to a clarification request.
 *
 * The answer is read like an order (the text rules over the reply without
 * its quoted original, or a corrected CSV attachment) into a partial
 * record; reply_merge() copies what the answer states into the pending
 * order.  Values the answer does not mention stay as they were; lines are
 * replaced only when the answer brings lines of its own. */
#ifndef ORDERGW_REPLY_H
#define ORDERGW_REPLY_H
#include "buf.h"
#include "order.h"

/* Copy every field src states into dst (strings are copied into dst's
 * arena).  The names of the fields that changed are appended to changed,
 * comma separated.  Returns the number of fields changed, -1 when dst's
 * arena is full. */
int reply_merge(struct order *dst, const struct order *src, struct buf *changed);

/* The clarification token in a subject ("[OG-12]" or "OG-12"), copied into
 * out; 0 found, -1 none. */
int reply_token(const char *subject, char *out, size_t n);

#endif
