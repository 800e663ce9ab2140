/* webhook_send.c — signed HTTP POSTs of orders to other systems (webhook.h).
 *
 * libcurl does the HTTP, GnuTLS the HMAC (gnutls_hmac_fast).  Nothing is
 * kept between calls except libcurl's global state, set up once.  The
 * secret is read from its file at every delivery (so it can be rotated
 * without a restart) and never logged; neither is the URL's query or user
 * part (webhook_url_for_log).  A POST lasts at most 30 seconds. */
#include "webhook.h"
#include "config.h"
#include "readfile.h"
#include <curl/curl.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int webhook_sign(const void *key, size_t key_len, const void *body, size_t len,
		 char out[WEBHOOK_SIG_MAX])
{
	unsigned char mac[32];
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, body, len, mac) < 0)
		return -1;
	memcpy(out, "sha256=", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* Read the secret, dropping a final line end (files written by echo). */
static int read_secret(const char *path, unsigned char **key_r, size_t *len_r)
{
	if (read_file(path, WEBHOOK_SECRET_MAX, key_r, len_r) < 0)
		return -1;
	while (*len_r > 0 && ((*key_r)[*len_r - 1] == '\n' || (*key_r)[*len_r - 1] == '\r'))
		(*len_r)--;
	return 0;
}

int webhook_deliver(const struct config *cfg, const char *stage, const char *url,
		    const char *delivery_id, const void *body, size_t len, char *msg, size_t msglen)
{
	static bool curl_ready;
	const struct cfg_stage *sc = config_stage(cfg, stage);
	unsigned char *key = NULL;
	size_t key_len = 0;
	CURL *h = NULL;
	struct curl_slist *hdr = NULL;
	char sig[WEBHOOK_SIG_MAX], line[256], shown[512];
	int ret = -1;

	if (sc == NULL || sc->webhook_secret_file == NULL) {
		snprintf(msg, msglen, "no [stage %s] webhook_secret_file in the configuration any more", stage);
		goto out;
	}
	if (read_secret(sc->webhook_secret_file, &key, &key_len) < 0) {
		snprintf(msg, msglen, "cannot read %s: %s", sc->webhook_secret_file, strerror(errno));
		ret = 1;   /* a file being replaced: try again later */
		goto out;
	}
	if (webhook_sign(key, key_len, body, len, sig) < 0) {
		snprintf(msg, msglen, "HMAC-SHA256 failed");
		goto out;
	}
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(msg, msglen, "libcurl cannot be initialised");
			ret = 1;
			goto out;
		}
		curl_ready = true;
	}
	h = curl_easy_init();
	if (h == NULL) {
		snprintf(msg, msglen, "libcurl: out of memory");
		ret = 1;
		goto out;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Ordergw-Signature: %s", sig);
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "X-Ordergw-Delivery: %s", delivery_id ? delivery_id : "");
	hdr = curl_slist_append(hdr, line);
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ordergw");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		snprintf(msg, msglen, "POST %s: %s", webhook_url_for_log(url, shown, sizeof(shown)),
			 curl_easy_strerror(cc));
		ret = 1;
		goto out;
	}
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		snprintf(msg, msglen, "HTTP %ld", status);
		ret = 0;
	} else {
		snprintf(msg, msglen, "POST %s: HTTP %ld", webhook_url_for_log(url, shown, sizeof(shown)), status);
		ret = status >= 500 || status == 408 || status == 429 ? 1 : -1;
	}
out:
	curl_slist_free_all(hdr);
	if (h != NULL)
		curl_easy_cleanup(h);
	if (key != NULL) {
		memset(key, 0, key_len);
		free(key);
	}
	return ret;
}
