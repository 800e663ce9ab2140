/* tlsverify.c — TCP connect with a timeout, TLS handshakes on libetpan
 * streams, and the certificate check libetpan's GnuTLS build leaves out.
 *
 * Ownership: tlsverify_open() gives the fd to the returned mailstream (or
 * closes it); tlsverify_starttls() replaces the stream's low layer in place.
 * Every GnuTLS object is created and freed inside one call.
 *
 * Failure: CHAN_TEMP for network trouble, CHAN_CONFIG for a bad ca_file or
 * a host that does not resolve, CHAN_TRUST for any certificate problem.
 * Nothing is sent to the server before the chain has been verified. */
#include "tlsverify.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

static int connect_one(const struct addrinfo *ai, int timeout_s, int *errno_r)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*errno_r = errno;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r;
		do
			r = poll(&p, 1, timeout_s * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (r < 0)
			goto fail;
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fl) < 0)
		goto fail;
	return fd;
fail:
	*errno_r = errno;
	close(fd);
	return -1;
}

int tlsverify_tcp_connect(const char *host, uint16_t port, int timeout_s, struct chan_err *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char service[8];
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	int r = getaddrinfo(host, service, &hints, &res);
	if (r != 0)
		return chan_fail(err, r == EAI_AGAIN ? CHAN_TEMP : CHAN_CONFIG,
			"cannot resolve %s: %s", host, gai_strerror(r));
	int fd = -1, e = 0;
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, timeout_s > 0 ? timeout_s : 30, &e);
	freeaddrinfo(res);
	if (fd < 0)
		return chan_fail(err, CHAN_TEMP, "cannot connect to %s port %u: %s",
			host, (unsigned)port, strerror(e));
	return fd;
}

static int is_ip_literal(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* SNI: only for names, never for address literals (RFC 6066 section 3). */
static void sni_cb(struct mailstream_ssl_context *ctx, void *data)
{
	char *host = data;
	if (host != NULL && !is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, host);
}

mailstream *tlsverify_open(int fd, const char *host, const char *ca_file, int timeout_s,
	struct chan_err *err)
{
	char *h = strdup(host);
	if (h == NULL) {
		close(fd);
		chan_fail(err, CHAN_TEMP, "out of memory");
		return NULL;
	}
	mailstream *s = mailstream_ssl_open_with_callback_timeout(fd, timeout_s, sni_cb, h);
	free(h);
	if (s == NULL) {
		close(fd);
		chan_fail(err, CHAN_TEMP, "TLS handshake with %s failed", host);
		return NULL;
	}
	if (tlsverify_stream(s, host, ca_file, err) < 0) {
		mailstream_close(s);
		return NULL;
	}
	return s;
}

int tlsverify_starttls(mailstream *s, const char *host, const char *ca_file, int timeout_s,
	struct chan_err *err)
{
	if (s->read_buffer_len != 0)
		return chan_fail(err, CHAN_TRUST,
			"%s sent %zu bytes after accepting STARTTLS (response injection); "
			"connection refused", host, s->read_buffer_len);
	mailstream_low *low = mailstream_get_low(s);
	int fd = mailstream_low_get_fd(low);
	if (fd < 0)
		return chan_fail(err, CHAN_TEMP, "connection to %s lost before STARTTLS", host);
	char *h = strdup(host);
	if (h == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	mailstream_low *tls = mailstream_low_tls_open_with_callback_timeout(fd, timeout_s, sni_cb, h);
	free(h);
	if (tls == NULL)
		return chan_fail(err, CHAN_TEMP, "TLS handshake with %s after STARTTLS failed", host);
	mailstream_low_free(low);
	mailstream_set_low(s, tls);
	return tlsverify_stream(s, host, ca_file, err);
}

int tlsverify_stream(mailstream *s, const char *host, const char *ca_file, struct chan_err *err)
{
	carray *chain = mailstream_get_certificate_chain(s);
	if (chain == NULL || carray_count(chain) == 0) {
		if (chain != NULL)
			mailstream_certificate_chain_free(chain);
		return chan_fail(err, CHAN_TRUST, "%s presented no X.509 certificate", host);
	}
	size_t n = carray_count(chain);
	const unsigned char **der = calloc(n, sizeof(*der));
	size_t *len = calloc(n, sizeof(*len));
	int ret = -1;
	if (der == NULL || len == NULL) {
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		MMAPString *str = carray_get(chain, (unsigned)i);
		der[i] = (const unsigned char *)str->str;
		len[i] = str->len;
	}
	ret = tlsverify_der_chain(der, len, n, host, ca_file, err);
out:
	free(der);
	free(len);
	mailstream_certificate_chain_free(chain);
	return ret;
}

/* "a.example, b.example, 127.0.0.1": the names a certificate is for. */
static void cert_names(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0;; i++) {
		unsigned char san[256];
		size_t sz = sizeof(san) - 1;
		int t = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &sz, NULL);
		if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (t < 0)
			continue;
		char name[INET6_ADDRSTRLEN + 256];
		if (t == GNUTLS_SAN_DNSNAME) {
			san[sz] = '\0';
			snprintf(name, sizeof(name), "%s", (char *)san);
		} else if (t == GNUTLS_SAN_IPADDRESS && (sz == 4 || sz == 16)) {
			inet_ntop(sz == 4 ? AF_INET : AF_INET6, san, name, sizeof(name));
		} else {
			continue;
		}
		int w = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", name);
		if (w < 0 || (size_t)w >= outlen - used)
			return;
		used += (size_t)w;
	}
	if (used == 0) {
		size_t sz = outlen;
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, out, &sz) < 0)
			snprintf(out, outlen, "(no name)");
	}
}

static void fmt_time(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, outlen, "(time %lld)", (long long)t);
}

static int explain(gnutls_x509_crt_t leaf, unsigned status, const char *host, struct chan_err *err)
{
	char buf[512];
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		size_t sz = sizeof(buf);
		if (gnutls_x509_crt_get_issuer_dn(leaf, buf, &sz) < 0)
			snprintf(buf, sizeof(buf), "?");
		return chan_fail(err, CHAN_TRUST,
			"certificate of %s signed by an unknown authority (issuer %s); "
			"set ca_file to trust a private CA", host, buf);
	}
	if (status & GNUTLS_CERT_EXPIRED) {
		fmt_time(gnutls_x509_crt_get_expiration_time(leaf), buf, sizeof(buf));
		return chan_fail(err, CHAN_TRUST, "certificate of %s expired (not after %s)", host, buf);
	}
	if (status & GNUTLS_CERT_NOT_ACTIVATED) {
		fmt_time(gnutls_x509_crt_get_activation_time(leaf), buf, sizeof(buf));
		return chan_fail(err, CHAN_TRUST, "certificate of %s not yet valid (not before %s)",
			host, buf);
	}
	if (status & GNUTLS_CERT_REVOKED)
		return chan_fail(err, CHAN_TRUST, "certificate of %s is revoked", host);
	if (status & GNUTLS_CERT_SIGNER_NOT_CA)
		return chan_fail(err, CHAN_TRUST,
			"certificate of %s was issued by a certificate that is not a CA", host);
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return chan_fail(err, CHAN_TRUST,
			"certificate of %s is signed with an insecure algorithm", host);
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		return chan_fail(err, CHAN_TRUST, "certificate of %s has a bad signature", host);
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER) {
		cert_names(leaf, buf, sizeof(buf));
		return chan_fail(err, CHAN_TRUST, "certificate is for %s, not %s", buf, host);
	}
	gnutls_datum_t out = { NULL, 0 };
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) >= 0) {
		chan_fail(err, CHAN_TRUST, "certificate of %s refused: %s", host, (char *)out.data);
		gnutls_free(out.data);
		return -1;
	}
	return chan_fail(err, CHAN_TRUST, "certificate of %s refused (status 0x%x)", host, status);
}

int tlsverify_der_chain(const unsigned char *const *der, const size_t *der_len, size_t n,
	const char *host, const char *ca_file, struct chan_err *err)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *crts = NULL;
	size_t ncrts = 0;
	int ret = -1, r;

	if (n == 0 || n > 16)
		return chan_fail(err, CHAN_TRUST, "%s presented %zu certificates", host, n);
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	/* The system store may legitimately be empty (minimal containers). */
	(void)gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (ca_file != NULL && ca_file[0] != '\0') {
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			chan_fail(err, CHAN_CONFIG, "ca_file %s: %s", ca_file,
				r < 0 ? gnutls_strerror(r) : "no PEM certificate in it");
			goto out;
		}
	}
	crts = calloc(n, sizeof(*crts));
	if (crts == NULL) {
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	for (; ncrts < n; ncrts++) {
		gnutls_datum_t d = { (unsigned char *)der[ncrts], (unsigned)der_len[ncrts] };
		if (gnutls_x509_crt_init(&crts[ncrts]) < 0) {
			chan_fail(err, CHAN_TEMP, "out of memory");
			goto out;
		}
		r = gnutls_x509_crt_import(crts[ncrts], &d, GNUTLS_X509_FMT_DER);
		if (r < 0) {
			ncrts++;
			chan_fail(err, CHAN_TRUST, "certificate %zu of %s does not parse: %s",
				ncrts, host, gnutls_strerror(r));
			goto out;
		}
	}
	gnutls_typed_vdata_st vdata[2] = {
		{ .type = GNUTLS_DT_DNS_HOSTNAME, .data = (unsigned char *)host, .size = 0 },
		{ .type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER,
		  .size = 0 },
	};
	unsigned status = 0;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned)n, vdata, 2, 0, &status, NULL);
	if (r < 0) {
		chan_fail(err, CHAN_TRUST, "cannot verify the certificate of %s: %s", host,
			gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		explain(crts[0], status, host, err);
		goto out;
	}
	ret = 0;
out:
	for (size_t i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	return ret;
}
