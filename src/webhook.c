/* webhook.c — the webhook body and a URL fit for logs (webhook.h).
 *
 * What the queue side needs; the delivery (libcurl, the HMAC) is in
 * webhook_send.c so that programs which only queue webhooks (the ordergw
 * command) do not load libcurl and its two dozen libraries at start-up. */
#include "webhook.h"
#include "buf.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

char *webhook_body(const char *order_json, const char *stage, int64_t item_id, int64_t order_id,
		   size_t *len_r)
{
	struct buf b;
	buf_init(&b, strlen(order_json) + 4096);
	buf_adds(&b, "{\"event\":\"stage_entered\",\"stage\":");
	buf_add_json_str(&b, stage);
	buf_printf(&b, ",\"item_id\":%lld,\"order_id\":%lld,\"order\":", (long long)item_id,
		   (long long)order_id);
	buf_adds(&b, order_json);
	buf_adds(&b, "}");
	return buf_steal(&b, len_r);
}

const char *webhook_url_for_log(const char *url, char *out, size_t cap)
{
	/* scheme://[user[:password]@]host[:port][/path][?query][#fragment]:
	 * the user part and the query may carry a token; keep neither. */
	const char *s = strstr(url, "://");
	if (s == NULL)
		return url;       /* a mail address or a dir: path: nothing hidden */
	const char *host = s + 3;
	size_t hostlen = strcspn(host, "/?#");
	const char *at = memrchr(host, '@', hostlen);
	if (at != NULL) {
		hostlen -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	const char *path = host + hostlen;
	size_t pathlen = strcspn(path, "?#");
	bool hidden = at != NULL || path[pathlen] != '\0';
	snprintf(out, cap, "%.*s%.*s%.*s%s", (int)(s + 3 - url), url, (int)hostlen, host,
		 (int)pathlen, path, hidden ? " (credentials and query hidden)" : "");
	return out;
}
