/* mime.h — a raw e-mail (RFC 5322 bytes, untrusted) to UTF-8 text and
 * decoded attachments.
 *
 * mime_parse() walks the MIME tree (libetpan builds it), decodes base64 and
 * quoted-printable, RFC 2047 encoded-words, RFC 2231 parameters and raw
 * 8-bit headers, converts every text to UTF-8 (charset.h) and picks the
 * text body (text/plain preferred, else text/html made plain).  Every limit
 * (message size, parts, nesting depth, attachment size) is a diagnostic in
 * `d`, never a crash; parts past a limit are left out.  The result owns all
 * its memory; free it with mime_message_free(). */
#ifndef ORDERGW_MIME_H
#define ORDERGW_MIME_H
#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

/* 0 in any field: the default from limits.h. */
struct mime_limits {
	size_t max_message_bytes;
	size_t max_parts;
	size_t max_depth;
	size_t max_attachment_bytes;
};

struct mime_attachment {
	char *filename;          /* UTF-8 without directories; NULL when none */
	char *content_type;      /* lower-case "type/subtype" */
	char *part;              /* IMAP-style part path, "1.2" */
	unsigned char *data;     /* decoded bytes, NUL-terminated */
	size_t len;
};

struct mime_message {
	char *from_addr;         /* lower-case addr-spec, NULL when none */
	char *from_display;      /* UTF-8 display name, NULL when none */
	char *subject;           /* UTF-8, NULL when none */
	char *message_id;        /* without <> */
	char *in_reply_to;       /* the first id, without <> */
	char *references;        /* ids without <>, separated by one space */
	char *date;              /* RFC 3339 UTC ("2017-09-13T11:05:45Z") when it parses */
	char *body_text;         /* UTF-8, LF line ends; "" when none (never NULL) */
	char *body_part;         /* part path of the body's first part; NULL when none */
	bool body_from_html;
	struct mime_attachment *attachments;
	size_t n_attachments;
	size_t n_parts;          /* parts walked (containers and leaves) */
};

/* 0: parsed (diags may hold warnings, or errors for parts left out);
 * -1: the message as a whole could not be read (d says why), *msg_r NULL. */
int mime_parse(const unsigned char *data, size_t len, const struct mime_limits *lim,
	       struct diags *d, struct mime_message **msg_r);
void mime_message_free(struct mime_message **msg);

/* An unstructured header value (unfolded or not) with RFC 2047
 * encoded-words and raw 8-bit bytes to trimmed UTF-8.  Malloc'd. */
char *mime_decode_header(const char *raw, size_t len);

/* HTML (UTF-8) to plain text: tags, scripts and styles dropped, entities
 * decoded, line breaks kept for br/p/div/tr/li/h1-6.  Malloc'd, at most
 * max bytes. */
char *mime_html_to_text(const char *html, size_t len, size_t max);

#endif
