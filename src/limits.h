/* limits.h — every size limit of ordergw in one place.
 *
 * Most are defaults that the configuration ([limits] section) can change;
 * the rest are hard ceilings that protect the process.  A limit that is hit
 * never crashes anything: the document goes to the exception queue with a
 * diagnostic naming the limit. */
#ifndef ORDERGW_LIMITS_H
#define ORDERGW_LIMITS_H

#define OG_MAX_MESSAGE_BYTES_DEFAULT   (64u * 1024 * 1024)  /* one stored document */
#define OG_MAX_MIME_PARTS_DEFAULT      1000u
#define OG_MAX_MIME_DEPTH_DEFAULT      20u
#define OG_MAX_ORDER_BYTES_DEFAULT     (32u * 1024 * 1024)  /* arena of one order */
#define OG_MAX_LINES_PER_ORDER         100000u
#define OG_MAX_DIAGS                   200u     /* further ones are counted, not kept */
#define OG_MAX_FIELD_BYTES             4096u    /* one value in the record */
#define OG_EDIFACT_MAX_SEGMENT_PARTS   1024u    /* data elements + components of one EDIFACT segment */
#define OG_MAX_XML_DEPTH               256u
#define OG_PCRE2_MATCH_LIMIT_DEFAULT   100000u
#define OG_PCRE2_DEPTH_LIMIT_DEFAULT   10000u
#define OG_MAX_CONFIG_LINE             8192u

#endif
