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
#define OG_MAX_ATTACHMENT_BYTES_DEFAULT (64u * 1024 * 1024) /* one decoded attachment */
#define OG_MAX_MIME_BODY_BYTES         (16u * 1024 * 1024)  /* text body of a mail, as UTF-8 */
/* Hard ceilings of the MIME reader.  libetpan's parser recurses once per
 * multipart or message/rfc822 level (about 10,000 levels overflow an 8 MB
 * stack); a message is cut before its 501st such Content-Type header, so
 * it never nests deeper than ~1,000.  Parts cost ~1 KB each in libetpan's
 * tree: the message is also cut at 10 boundary-like lines per allowed part. */
#define OG_MIME_MAX_CONTAINERS         500u
#define OG_MIME_DASH_LINES_PER_PART    10u
#define OG_MAX_ORDER_BYTES_DEFAULT     (32u * 1024 * 1024)  /* arena of one order */
#define OG_MAX_LINES_PER_ORDER         100000u
#define OG_MAX_DIAGS                   200u     /* further ones are counted, not kept */
#define OG_MAX_PROBLEMS                1000u    /* validation problems kept per order */
#define OG_MAX_FIELD_BYTES             4096u    /* one value in the record */
#define OG_EDIFACT_MAX_SEGMENT_PARTS   1024u    /* data elements + components of one EDIFACT segment */
#define OG_MAX_XML_DEPTH               256u
#define OG_MAX_XML_BYTES_DEFAULT       (32u * 1024 * 1024)  /* one UBL/cXML document */
#define OG_PCRE2_MATCH_LIMIT_DEFAULT   100000u
#define OG_PCRE2_DEPTH_LIMIT_DEFAULT   10000u
#define OG_MAX_CONFIG_LINE             8192u
#define OG_MAX_RULE_FILE_BYTES         (1u * 1024 * 1024)   /* a text rule set or CSV column map */
#define OG_MAX_TEXT_BYTES              (4u * 1024 * 1024)   /* an order text read by rules */
#define OG_MAX_CSV_FIELDS              1000u    /* columns in one CSV row */
/* ordergw parse/check: from this input size on, the JSON is written on a
 * second thread (src/recwriter.c), with at most this many bytes of
 * records waiting for it. */
#define OG_PARSE_THREAD_BYTES          (1u * 1024 * 1024)
/* file_map() (src/readfile.h) maps files from this size on, reads smaller ones. */
#define OG_MAP_MIN_BYTES               (1u * 1024 * 1024)
#define OG_PARSE_QUEUE_BYTES           (16u * 1024 * 1024)

/* Mustache templates (mustache.h); the render limits are defaults that
 * struct mustache_opts may change. */
#define OG_MUSTACHE_MAX_TEMPLATE_BYTES (1u * 1024 * 1024)  /* one template or partial */
#define OG_MUSTACHE_MAX_OUTPUT_DEFAULT (4u * 1024 * 1024)  /* one rendered message part */
#define OG_MUSTACHE_MAX_DEPTH_DEFAULT  64u      /* nested sections + partials */
#define OG_MUSTACHE_MAX_STEPS_DEFAULT  10000000ul   /* tags rendered: stops n^k loops */
#define OG_MUSTACHE_MAX_NESTING        100u     /* sections nested in one template */
#define OG_MUSTACHE_MAX_NAME           256u     /* bytes of one tag name */
#define OG_MUSTACHE_MAX_DELIM          16u      /* bytes of one set delimiter */

/* Network channels (imap.c, smtp.c, sftp.c). */
#define OG_NET_TIMEOUT_DEFAULT         60u      /* seconds per network operation */
#define OG_IMAP_MAX_BATCH_BYTES        (64u * 1024 * 1024)  /* bodies per UID FETCH */
#define OG_IMAP_MAX_PENDING            100000u  /* new UIDs looked at per imap_fetch_new() */
#define OG_IMAP_MAX_SET_RANGES         500u     /* UID ranges per MOVE/COPY command */
#define OG_IMAP_MAX_CREDENTIAL         512u     /* bytes of user name or password for AUTHENTICATE PLAIN */
#define OG_SFTP_MAX_LISTING_BYTES      (16u * 1024 * 1024)  /* one directory listing */
#define OG_SFTP_MAX_ENTRIES            100000u  /* files per listing */
#define OG_SMTP_MAX_RECIPIENTS         1000u
#define OG_X12_MAX_ELEMENTS            128u     /* per segment; further ones are ignored */
#define OG_X12_MAX_SEGMENT_BYTES       (1u << 20)   /* a segment that needs cleaning (CR/LF inside) */
#define OG_X12_MAX_ACK_SETS            200000u  /* sets remembered per file for the 997 */

/* A process that runs the pipeline on untrusted input (pipeline_confine). */
#define OG_PIPELINE_MAX_ADDRESS_SPACE  (4ull << 30)  /* bytes of address space (RLIMIT_AS) */

#endif
