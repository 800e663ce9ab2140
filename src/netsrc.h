/* netsrc.h — the network sources: an IMAP mailbox and an SFTP drop, each
 * kept as a session across polls by its worker.
 *
 * Both follow the reliability protocol: a document is committed to the
 * store (in batches) before it is acknowledged at its source — IMAP: moved
 * to the done folder by UID set; SFTP: renamed into the archive folder.
 * IMAP's checkpoint (UIDVALIDITY:UID) advances only after the move, so a
 * crash in between makes the next poll fetch those messages again, find
 * them stored (same source key, or same bytes after a UIDVALIDITY change)
 * and move them.  Errors are logged with the endpoint's name; the session
 * is closed and the caller reconnects with back-off.  No secret is ever
 * logged. */
#ifndef ORDERGW_NETSRC_H
#define ORDERGW_NETSRC_H
#include <stddef.h>

struct config;
struct cfg_mailbox;
struct cfg_drop;
struct store;
struct intake_stats;
struct imapsrc;
struct sftpsrc;

struct imapsrc *imapsrc_new(const struct config *cfg, const struct cfg_mailbox *mb);
void imapsrc_free(struct imapsrc **s);
/* One poll.  0 ok, -1 failed (logged; the next call reconnects). */
int imapsrc_poll(struct imapsrc *s, struct store *st, struct intake_stats *stats);
/* Wait up to timeout_s for new mail (IDLE when offered): 1 new mail,
 * 0 timeout, -1 error (the connection is dropped). */
int imapsrc_wait(struct imapsrc *s, int timeout_s);

struct sftpsrc *sftpsrc_new(const struct config *cfg, const struct cfg_drop *drop);
void sftpsrc_free(struct sftpsrc **s);
int sftpsrc_poll(struct sftpsrc *s, struct store *st, struct intake_stats *stats);
/* Files the last poll listed (matching the pattern, not markers) but left
 * because they were not yet complete: no marker, size and time not yet
 * stable for stable_seconds.  A second poll later may take them. */
size_t sftpsrc_waiting(const struct sftpsrc *s);

/* Read a secret from a file (first line, without the line end); NULL with
 * a message in err when unreadable.  Caller frees (and should wipe). */
char *netsrc_read_secret(const char *path, char *err, size_t errlen);

#endif
