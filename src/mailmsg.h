/* mailmsg.h — compose the RFC 5322 messages ordergw sends to customers.
 *
 * Every value that may come from a document (names, subjects, PO numbers)
 * passes through here, so this is where header injection is stopped: CR,
 * LF and other control characters in header values are replaced by spaces,
 * addresses are checked, non-ASCII header text is RFC 2047 encoded and
 * folded under 78 columns, bodies are UTF-8 quoted-printable.  Answers to a
 * customer carry In-Reply-To and References.  Auto-Submitted: auto-replied
 * (RFC 3834) keeps mail loops with auto-responders from starting. */
#ifndef ORDERGW_MAILMSG_H
#define ORDERGW_MAILMSG_H
#include <stdbool.h>
#include "buf.h"

struct mail_out {
	const char *from;         /* "Orders <orders@example.com>" or an address */
	const char *to;           /* addr-spec */
	const char *to_name;      /* display name, may be NULL */
	const char *subject;      /* UTF-8 */
	const char *text;         /* UTF-8 plain text body */
	const char *html;         /* optional HTML alternative */
	const char *message_id;   /* without <>; NULL: a new one */
	const char *in_reply_to;  /* without <>; may be NULL */
	const char *references;   /* ids without <>, space separated; may be NULL */
	const char *date;         /* RFC 5322 date; NULL: now */
	const char *ordergw_ref;  /* X-Ordergw-Ref header (clarification token) */
};

/* Build the message into out; the Message-ID used (without <>) is copied
 * into id_r (caller frees).  -1 with error_r when an address is invalid. */
int mailmsg_build(const struct mail_out *m, struct buf *out, char **id_r, const char **error_r);
/* A new globally unique Message-ID (without <>) for the domain of `from`. */
char *mailmsg_new_id(const char *from);
/* The addr-spec of "Name <addr>" or of a bare address (caller frees); NULL if invalid. */
char *mailmsg_addr(const char *s);
/* RFC 2047 encode (B, UTF-8) a header value when it is not plain ASCII,
 * folding at 75-character encoded words; control characters are removed. */
int mailmsg_encode_header(struct buf *out, const char *name, const char *value);

#endif
