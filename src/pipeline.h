/* pipeline.h — turn stored documents into orders, exceptions, queue items
 * and outgoing messages, one document per transaction.
 *
 * pipeline_run() takes the oldest unprocessed document, and inside one
 * transaction classifies it (mailbox rules, partner), parses it
 * (extract.h), validates each order, files it as accepted (stage queue +
 * confirmation) or as an exception (exception queue + clarification), and
 * marks the document processed.  A crash anywhere leaves the document
 * unprocessed and nothing else written; a document that breaks the
 * pipeline itself is quarantined as an "internal" exception so it never
 * holds up the others. */
#ifndef ORDERGW_PIPELINE_H
#define ORDERGW_PIPELINE_H
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

struct pipeline_stats {
	size_t documents, orders_accepted, exceptions, duplicates, messages, ignored;
};

/* Process pending documents until none is left (or `max` were done, 0 = no
 * limit).  0 ok, -1 when the store failed (the caller retries later). */
int pipeline_run(const struct config *cfg, struct store *st, size_t max,
		 struct pipeline_stats *stats);
/* Process one stored document again (exceptions reprocess). */
int pipeline_process_id(const struct config *cfg, struct store *st, int64_t doc_id,
			struct pipeline_stats *stats);
/* The limits of every process that runs the pipeline (the daemon's worker,
 * `ordergw exceptions reprocess`): address space capped at
 * OG_PIPELINE_MAX_ADDRESS_SPACE (not under AddressSanitizer, whose shadow
 * memory needs terabytes), no core dumps, and no network where the kernel
 * allows an empty network namespace.  For the rest of the process's life. */
void pipeline_confine(void);

#endif
