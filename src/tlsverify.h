/* tlsverify.h — verified TLS for libetpan streams (IMAP and SMTP).
 *
 * Debian's libetpan is built with GnuTLS and does not verify the server's
 * certificate at all (field-notes.md).  This module does it after every
 * handshake: the peer's chain is checked with a GnuTLS trust list made of
 * the system store plus an optional PEM ca_file (full chain, validity
 * dates, key usage, signature algorithms) and the host name we connected to
 * (DNS name or IP address) must be one of the certificate's names.
 *
 * Failures are reported through struct chan_err with kind CHAN_TRUST and a
 * sentence such as "certificate signed by an unknown authority (issuer
 * CN=x)" or "certificate is for mail.example.org, not 127.0.0.1". */
#ifndef ORDERGW_TLSVERIFY_H
#define ORDERGW_TLSVERIFY_H
#include "chan.h"
#include <stddef.h>
#include <stdint.h>
#include <libetpan/libetpan.h>

/* Open a TCP connection to host:port, giving up after timeout_s seconds.
 * Returns the connected (blocking) socket, or -1 with CHAN_TEMP (refused,
 * unreachable, timeout) or CHAN_CONFIG (host name does not resolve). */
int tlsverify_tcp_connect(const char *host, uint16_t port, int timeout_s, struct chan_err *err);

/* Handshake on fd (TLS from the first byte, "imaps"/"smtps"), sending
 * host as SNI, then verify.  On success returns a mailstream that owns fd;
 * on failure the fd is closed and NULL returned. */
mailstream *tlsverify_open(int fd, const char *host, const char *ca_file, int timeout_s,
	struct chan_err *err);

/* Switch an established plain stream to TLS after the server accepted
 * STARTTLS: refuses (CHAN_TRUST) if the server sent anything after its
 * "go ahead" answer (response injection, CVE-2020-15953), then handshakes on
 * the same fd and verifies.  0 ok, -1 error (the stream is then unusable). */
int tlsverify_starttls(mailstream *s, const char *host, const char *ca_file, int timeout_s,
	struct chan_err *err);

/* Verify the certificate chain of an already open TLS stream. */
int tlsverify_stream(mailstream *s, const char *host, const char *ca_file, struct chan_err *err);

/* Verify a chain given as DER certificates (leaf first). */
int tlsverify_der_chain(const unsigned char *const *der, const size_t *der_len, size_t n,
	const char *host, const char *ca_file, struct chan_err *err);

#endif
