/* dirdrop.h — a local folder as an EDI drop (dir:/path).
 *
 * Files matching the drop's pattern are taken once they are complete: their
 * size and time unchanged for stable_seconds, or a NAME<ready_suffix>
 * companion present.  A file is stored (COMMIT) before it is moved into the
 * archive folder; its source key is name + size + mtime, so a crash in
 * between makes the next poll find it already stored. */
#ifndef ORDERGW_DIRDROP_H
#define ORDERGW_DIRDROP_H
#include <stddef.h>

struct store;
struct cfg_drop;
struct intake_stats;

int dirdrop_poll(const struct cfg_drop *drop, struct store *st, size_t max_bytes,
		 struct intake_stats *stats);

#endif
