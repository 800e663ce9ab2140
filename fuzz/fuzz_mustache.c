/* fuzz_mustache.c — template bytes -> mustache_check + mustache_render.
 *
 * The data is a fixed object with every JSON type, nested lists and a
 * dotted path; the partial "self" is the input itself (recursion must stop
 * at the depth limit), "p" a fixed partial, anything else missing.  Both
 * HTML and text escaping run.  check and render must agree on whether the
 * template parses. */
#include "buf.h"
#include "mustache.h"
#include <json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input { const char *s; size_t n; };

static int partial(void *ctx, const char *name, struct buf *text, const char **error_r)
{
	const struct input *in = ctx;
	if (strcmp(name, "self") == 0)
		return buf_add(text, in->s, in->n) < 0 ? (*error_r = "too large", -1) : 0;
	if (strcmp(name, "p") == 0)
		return buf_adds(text, "  <{{a.b.c}}>\n{{#list}}[{{.}}]{{/list}}\n");
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_object *view;
	if (view == NULL)
		view = json_tokener_parse(
			"{\"name\":\"A & <B>\",\"n\":3,\"d\":1.5,\"t\":true,\"f\":false,\"z\":null,"
			"\"e\":\"\",\"list\":[1,\"two\",{\"name\":\"x\"},[3,4],null],"
			"\"a\":{\"b\":{\"c\":\"deep\"}},\"lines\":[{\"qty\":\"1\"},{\"qty\":\"2\"}]}");
	struct input in = { (const char *)data, size };
	char *err = NULL;
	int checked = mustache_check(in.s, in.n, &err);
	free(err);
	for (int html = 0; html < 2; html++) {
		struct mustache_opts o = {
			.escape_html = html, .partial = partial, .partial_ctx = &in,
			.max_output = 1u << 20, .max_steps = 200000,
		};
		struct buf out;
		buf_init(&out, 1u << 20);
		const char *rerr = NULL;
		int rendered = mustache_render(in.s, in.n, view, &o, &out, &rerr);
		/* A template that parses may still fail to render (limits), but a
		 * template that does not parse must never render. */
		if (checked < 0 && rendered == 0)
			abort();
		if (rendered < 0 && (rerr == NULL || rerr[0] == '\0'))
			abort();
		buf_free(&out);
	}
	return 0;
}
