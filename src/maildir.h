/* maildir.h — Maildir as a source (a mailbox) and as a sink (the outbox).
 *
 * Source: messages in new/ and cur/ are read, stored (store.h) and only
 * after the COMMIT moved into the done folder (Maildir++ ".NAME/cur"), so
 * a crash in between means the message is read again and the store's
 * unique source key drops the copy.  Sink: a message is written to tmp/,
 * fsynced and renamed into new/ under a name fixed by its outbox row, so a
 * resend after a crash replaces the file instead of duplicating it. */
#ifndef ORDERGW_MAILDIR_H
#define ORDERGW_MAILDIR_H
#include <stddef.h>

struct store;
struct cfg_mailbox;

struct intake_stats {
	size_t seen, stored, already, acknowledged, too_large, errors;
};

/* One poll of a maildir: mailbox. 0 ok, -1 the folder or the store failed. */
int maildir_poll(const struct cfg_mailbox *mb, struct store *st, size_t max_bytes,
		 struct intake_stats *stats);
/* Deliver one message into the Maildir at path; name_key makes the file
 * name (the outbox row id).  0 ok, -1 with errno. */
int maildir_deliver(const char *path, const char *name_key, const void *data, size_t len);
/* Create path/{cur,new,tmp} as needed. */
int maildir_make(const char *path);

#endif
