/* test_mustache.c — the Mustache spec suites plus our own error and limit
 * cases.
 *
 * Every test of tests/data/mustache-spec/{comments,delimiters,
 * interpolation,inverted,partials,sections}.json is rendered with its data
 * and partials and compared byte for byte with `expected`; a failure names
 * the suite and the test. */
#include "check.h"
#include "buf.h"
#include "mustache.h"
#include <json.h>
#include <stdlib.h>

static const char *srcdir;

/* Partials from a JSON object {"name": "text"}. */
static int json_partial(void *ctx, const char *name, struct buf *text, const char **error_r)
{
	json_object *v;
	if (ctx == NULL || !json_object_object_get_ex(ctx, name, &v))
		return 1;
	if (buf_add(text, json_object_get_string(v), (size_t)json_object_get_string_len(v)) < 0) {
		*error_r = "partial too large";
		return -1;
	}
	return 0;
}

static void run_spec(const char *suite)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/data/mustache-spec/%s.json", srcdir, suite);
	json_object *root = json_object_from_file(path), *tests;
	CHECK(root != NULL);
	if (root == NULL || !json_object_object_get_ex(root, "tests", &tests)) {
		fprintf(stderr, "cannot read %s\n", path);
		json_object_put(root);
		return;
	}
	size_t n = json_object_array_length(tests), passed = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(tests, i), *name, *tmpl, *data = NULL,
			*want, *partials = NULL;
		json_object_object_get_ex(t, "name", &name);
		json_object_object_get_ex(t, "template", &tmpl);
		json_object_object_get_ex(t, "data", &data);
		json_object_object_get_ex(t, "expected", &want);
		json_object_object_get_ex(t, "partials", &partials);
		struct mustache_opts o = {
			.escape_html = true, .partial = json_partial, .partial_ctx = partials,
		};
		struct buf out;
		buf_init(&out, 1 << 20);
		const char *err = NULL;
		int ret = mustache_render(json_object_get_string(tmpl),
					  (size_t)json_object_get_string_len(tmpl), data, &o, &out, &err);
		char *cerr = NULL;
		int cret = mustache_check(json_object_get_string(tmpl),
					  (size_t)json_object_get_string_len(tmpl), &cerr);
		check_count++;
		if (ret != 0 || cret != 0 ||
		    strcmp(out.data ? out.data : "", json_object_get_string(want)) != 0) {
			check_failures++;
			fprintf(stderr, "FAIL %s: \"%s\": %s\n  got:  [%s]\n  want: [%s]\n", suite,
				json_object_get_string(name), ret ? err : cret ? cerr : "differs",
				out.data ? out.data : "", json_object_get_string(want));
		} else {
			passed++;
		}
		free(cerr);
		buf_free(&out);
	}
	fprintf(stderr, "spec %s: %zu of %zu passed\n", suite, passed, n);
	json_object_put(root);
}

static const char *render(const char *tmpl, const char *data_json, bool html,
			  const char **err)
{
	static char result[4096];
	json_object *data = json_tokener_parse(data_json);
	struct buf out;
	buf_init(&out, sizeof(result) - 1);
	struct mustache_opts o = { .escape_html = html };
	*err = NULL;
	int ret = mustache_render(tmpl, strlen(tmpl), data, &o, &out, err);
	snprintf(result, sizeof(result), "%s", ret == 0 ? (out.data ? out.data : "") : "ERROR");
	buf_free(&out);
	json_object_put(data);
	return result;
}

static void test_escaping(void)
{
	const char *err;
	static const struct { const char *tmpl; bool html; const char *want; } cases[] = {
		{ "{{v}}", true, "Tom &amp; Jerry&#39;s &lt;b&gt; &quot;x&quot;" },
		{ "{{v}}", false, "Tom & Jerry's <b> \"x\"" },
		{ "{{{v}}}", true, "Tom & Jerry's <b> \"x\"" },
		{ "{{&v}}", true, "Tom & Jerry's <b> \"x\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(render(cases[i].tmpl, "{\"v\":\"Tom & Jerry's <b> \\\"x\\\"\"}",
				 cases[i].html, &err), cases[i].want);
	/* Falsy values as in mustache.js; numbers and booleans as text. */
	CHECK_STR(render("{{#z}}z{{/z}}{{#e}}e{{/e}}{{#n}}n{{/n}}{{^z}}Z{{/z}}{{#o}}{{x}}{{/o}}",
			 "{\"z\":0,\"e\":\"\",\"n\":1,\"o\":{\"x\":true}}", false, &err), "nZtrue");
	CHECK_STR(render("{{a}}|{{b}}|{{c}}", "{\"a\":-7,\"b\":0.1,\"c\":[1,2]}", false, &err),
		  "-7|0.1|[1,2]");
	/* Chinese text passes through untouched. */
	CHECK_STR(render("尊敬的{{name}}：", "{\"name\":\"王先生\"}", true, &err), "尊敬的王先生：");
}

static void test_errors(void)
{
	static const struct { const char *tmpl, *want; } cases[] = {
		{ "Hello {{name", "1:7: tag is not closed: expected \"}}\" before the end of the template" },
		{ "a\n{{#s}}\nb\n", "2:1: section \"s\" is never closed" },
		{ "{{#a}}\n  {{#b}}x{{/a}}", "2:10: closing tag \"a\" does not match the section \"b\" opened at 2:3" },
		{ "x {{/a}}", "1:3: closing tag \"a\" without an open section" },
		{ "订单\n号码 {{=<% %>}}", "2:4: tag is not closed: expected \"=}}\" before the end of the template" },
		{ "{{= <% =}}", "1:1: bad delimiter tag: expected two delimiters separated by a space, as in {{=<% %>=}}, found \" <% \"" },
		{ "{{=<= =>=}}", "1:1: bad delimiter tag: a delimiter may not contain '='" },
		{ "line\n\t{{}}", "2:2: empty tag: a name was expected" },
		{ "{{a b}}", "1:1: white space inside the tag name \"a b\"" },
		{ "{{{a}}", "1:1: tag is not closed: expected \"}}}\" before the end of the template" },
		{ "{{/}}", "1:1: empty tag: a name was expected" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		CHECK_INT(mustache_check(cases[i].tmpl, strlen(cases[i].tmpl), &err), -1);
		CHECK_STR(err, cases[i].want);
		free(err);
		const char *rerr;
		CHECK_STR(render(cases[i].tmpl, "{}", true, &rerr), "ERROR");
		CHECK_STR(rerr, cases[i].want);
	}
	char *err = NULL;
	const char *ok = "{{#a}}{{/a}}{{! ok }}";
	CHECK_INT(mustache_check(ok, strlen(ok), &err), 0);
	CHECK(err == NULL);
	/* Nesting limit at parse time. */
	struct buf deep;
	buf_init(&deep, 1 << 20);
	for (int i = 0; i < 200; i++)
		buf_adds(&deep, "{{#a}}");
	CHECK_INT(mustache_check(deep.data, deep.len, &err), -1);
	CHECK_STR(err, "1:601: sections nested deeper than 100");
	free(err);
	buf_free(&deep);
}

/* A partial named "self" that includes itself, and "big" that doubles. */
static int loop_partial(void *ctx, const char *name, struct buf *text, const char **error_r)
{
	if (strcmp(name, "self") == 0)
		return buf_adds(text, "x{{>self}}");
	if (strcmp(name, "fail") == 0) {
		*error_r = "cannot read fail.mustache";
		return -1;
	}
	if (strcmp(name, "bad") == 0)
		return buf_adds(text, "ok\n{{#open}}");
	return 1;
}

static void test_limits(void)
{
	json_object *data = json_tokener_parse("{\"l\":[1,2,3,4,5,6,7,8,9,10],\"s\":\"0123456789\"}");
	struct mustache_opts o = { .partial = loop_partial };
	struct buf out;
	const char *err;
	buf_init(&out, 1 << 20);

	const char *t = "{{>self}}";
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK_STR(err, "partial self: 1:2: sections and partials nested deeper than 64 "
		  "(a partial that includes itself?)");
	CHECK_INT(out.len, 64);
	o.max_depth = 5;
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK_INT(out.len, 5);

	t = "a{{>fail}}";
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK_STR(err, "1:2: partial \"fail\": cannot read fail.mustache");
	t = "\n  {{>bad}}";
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK_STR(err, "2:3: in partial \"bad\": 2:3: section \"open\" is never closed");
	t = "[{{>missing}}]";
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), 0);
	CHECK_STR(out.data, "[]");

	/* Output limit: 10 x 10 x 10 bytes = 1000 > 999. */
	t = "{{#l}}{{#l}}{{s}}{{/l}}{{/l}}";
	o.max_depth = 0;
	o.max_output = 999;
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK_STR(err, "1:13: output larger than 999 bytes");
	CHECK_INT(out.len, 990);
	o.max_output = 1000;
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), 0);
	CHECK_INT(out.len, 1000);
	/* The caller's buffer maximum counts too. */
	struct buf small;
	buf_init(&small, 15);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &small, &err), -1);
	CHECK_STR(err, "1:13: output larger than 15 bytes");
	buf_free(&small);

	/* Step limit: nested loops that print nothing still stop. */
	t = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
	o.max_steps = 100000;
	buf_reset(&out);
	CHECK_INT(mustache_render(t, strlen(t), data, &o, &out, &err), -1);
	CHECK(strstr(err, "template needs more than 100000 steps") != NULL);

	buf_free(&out);
	json_object_put(data);
}

int main(void)
{
	srcdir = getenv("ORDERGW_SRCDIR");
	if (srcdir == NULL)
		srcdir = ".";
	static const char *const suites[] = {
		"comments", "delimiters", "interpolation", "inverted", "partials", "sections",
	};
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		run_spec(suites[i]);
	test_escaping();
	test_errors();
	test_limits();
	return check_status();
}
