/* sender.h — deliver what the outbox holds (ARCHITECTURE.md step 3).
 *
 * For each message due: deliver (Maildir, SMTP, or for EDI responses a
 * folder or SFTP), then mark it sent.  A crash between the two resends the
 * same bytes with the same Message-ID (at-least-once; a Maildir delivery
 * even replaces its own earlier file).  A temporary failure is retried
 * with exponential back-off; a permanent one marks the message failed and
 * raises an exception for sales. */
#ifndef ORDERGW_SENDER_H
#define ORDERGW_SENDER_H
#include <stddef.h>

struct config;
struct store;

struct sender_stats {
	size_t sent, deferred, failed;
};

/* One pass over the due messages; 0 ok, -1 the store failed. */
int sender_run(const struct config *cfg, struct store *st, struct sender_stats *stats);

#endif
