/* x12_ack.c — writes 997 and 855 interchanges (see x12_ack.h).
 *
 * A small segment writer keeps the delimiters of the interchange being
 * answered and counts segments for SE01; every value copied from the
 * partner's data has our delimiters removed, so the reply always parses.
 * Nothing is allocated but the output buffer (bounded by its max); a full
 * buffer or bad arguments give -1 and a message in *error_r. */
#include "x12_ack.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct seg_writer {
	struct buf *out;
	struct x12_delims dl;
	size_t in_set;          /* segments since ST, for SE01 */
	int failed;
};

/* Append a value without any of our delimiters (they cannot be escaped). */
static void put_value(struct seg_writer *w, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == w->dl.element || c == w->dl.segment || c == w->dl.component ||
		    (w->dl.repetition != 0 && c == w->dl.repetition) || c == '\r' || c == '\n')
			continue;
		w->failed |= buf_addc(w->out, (char)c);
	}
}

/* One segment: id then the elements (NULL = empty); trailing empty
 * elements are dropped, as X12 requires. */
static void seg(struct seg_writer *w, const char *id, int n, ...)
{
	const char *el[32];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n && i < 32; i++)
		el[i] = va_arg(ap, const char *);
	va_end(ap);
	while (n > 0 && (el[n - 1] == NULL || el[n - 1][0] == '\0'))
		n--;
	w->failed |= buf_adds(w->out, id);
	for (int i = 0; i < n; i++) {
		w->failed |= buf_addc(w->out, (char)w->dl.element);
		put_value(w, el[i]);
	}
	w->failed |= buf_addc(w->out, (char)w->dl.segment);
	w->in_set++;
}

/* The reply's date (CCYYMMDD) and time (HHMM): given, or now in UTC. */
static void reply_time(const struct x12_reply *r, char date8[9], char time4[5])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char tmp[48];
	snprintf(tmp, sizeof(tmp), "%04u%02u%02u%02u%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u);
	memcpy(date8, tmp, 8);
	date8[8] = '\0';
	memcpy(time4, tmp + 8, 4);
	time4[4] = '\0';
	if (r->date != NULL && strlen(r->date) == 8)
		memcpy(date8, r->date, 9);
	if (r->time != NULL && strlen(r->time) == 4)
		memcpy(time4, r->time, 5);
}

/* A fixed-width ISA field: padded, our delimiters replaced by spaces. */
static void pad_isa(const struct seg_writer *w, char *out, size_t width, const char *id)
{
	size_t i = 0;
	for (; id != NULL && id[i] != '\0' && i < width; i++) {
		unsigned char c = (unsigned char)id[i];
		out[i] = c == w->dl.element || c == w->dl.segment || c == w->dl.component ||
			 c == w->dl.repetition || c < 0x20 ? ' ' : (char)c;
	}
	for (; i < width; i++)
		out[i] = ' ';
	out[width] = '\0';
}

/* ISA and GS; returns -1 when the reply's ids are unusable. */
static int envelope_open(struct seg_writer *w, const struct x12_ack_interchange *ic,
			 const struct x12_reply *r, const char *fid, const char *app_receiver,
			 const char *version, unsigned long group, const char **error_r)
{
	char date8[9], time4[5], isa13[10], gs06[12], s15[16], r15[16], std[2], use[2];
	if (r->sender_id == NULL || r->sender_qualifier == NULL || strlen(r->sender_id) > 15 ||
	    strlen(r->sender_qualifier) != 2) {
		*error_r = "our ISA05/ISA06 are needed (a 2-character qualifier and an id of at most 15 characters)";
		return -1;
	}
	if (r->interchange_control < 1 || r->interchange_control > 999999999ul) {
		*error_r = "the interchange control number must be 1..999999999";
		return -1;
	}
	reply_time(r, date8, time4);
	snprintf(isa13, sizeof(isa13), "%09lu", r->interchange_control);
	snprintf(gs06, sizeof(gs06), "%lu", group);
	char rq[3], sq[3];
	pad_isa(w, s15, 15, r->sender_id);
	pad_isa(w, r15, 15, ic->sender_id);
	pad_isa(w, sq, 2, r->sender_qualifier);
	pad_isa(w, rq, 2, ic->sender_qualifier);
	std[0] = w->dl.repetition ? (char)w->dl.repetition : (ic->standards_id ? ic->standards_id : 'U');
	std[1] = '\0';
	use[0] = ic->usage == 'T' ? 'T' : 'P';
	use[1] = '\0';
	/* ISA is fixed width: written directly, not through put_value. */
	char e = (char)w->dl.element;
	w->failed |= buf_printf(w->out, "ISA%c00%c          %c00%c          %c%s%c%s%c%s%c%s%c%.6s%c%s%c%s%c%s%c%s%c0%c%s%c%c%c",
				e, e, e, e, e, sq, e, s15, e, rq, e, r15, e,
				date8 + 2, e, time4, e, std, e, ic->version[0] ? ic->version : "00401", e, isa13,
				e, e, use, e, (char)w->dl.component, (char)w->dl.segment);
	seg(w, "GS", 8, fid, r->app_sender ? r->app_sender : r->sender_id, app_receiver, date8, time4,
	    gs06, "X", version);
	return 0;
}

static void set_open(struct seg_writer *w, const char *id, unsigned long ctl, char *ctl_r)
{
	snprintf(ctl_r, 12, "%04lu", ctl % 1000000000ul);
	w->in_set = 0;
	seg(w, "ST", 2, id, ctl_r);
}

static void set_close(struct seg_writer *w, const char *ctl)
{
	char n[24];
	snprintf(n, sizeof(n), "%zu", w->in_set + 1);
	seg(w, "SE", 2, n, ctl);
}

static void envelope_close(struct seg_writer *w, size_t n_groups_or_sets, const char *ctl, bool iea)
{
	char n[24];
	snprintf(n, sizeof(n), "%zu", n_groups_or_sets);
	seg(w, iea ? "IEA" : "GE", 2, n, ctl);
}

static bool is_5010(const char *version)
{
	return strncmp(version, "005", 3) == 0 || strncmp(version, "00501", 5) == 0;
}

static void codes_str(char *out, size_t cap, const unsigned char *codes, size_t n, size_t i)
{
	out[0] = '\0';
	if (i < n)
		snprintf(out, cap, "%u", codes[i]);
}

static void write_997(struct seg_writer *w, const struct ack_info *ack, const struct x12_ack_group *g,
		      unsigned long set_ctl)
{
	char ctl[12], st[2] = { g->status, '\0' }, c[5][8], num[4][24];
	set_open(w, "997", set_ctl, ctl);
	bool v5 = is_5010(g->version);
	seg(w, "AK1", 3, g->functional_id, g->control, v5 ? g->version : NULL);
	for (size_t i = g->first_set; i < g->first_set + g->n_sets; i++) {
		const struct x12_ack_set *s = &ack->sets[i];
		seg(w, "AK2", 3, s->id, s->control, v5 ? s->convention : NULL);
		for (size_t k = s->first_error; s->n_errors > 0 && k < s->first_error + s->n_errors; k++) {
			const struct x12_ack_error *e = &ack->errors[k];
			snprintf(num[0], sizeof(num[0]), "%zu", e->position);
			snprintf(num[1], sizeof(num[1]), "%d", e->segment_code);
			seg(w, "AK3", 4, e->segment_id, num[0], NULL, num[1]);
			if (e->element_position <= 0)
				continue;
			if (e->component_position > 0)
				snprintf(num[0], sizeof(num[0]), "%d%c%d", e->element_position, w->dl.component,
					 e->component_position);
			else
				snprintf(num[0], sizeof(num[0]), "%d", e->element_position);
			snprintf(num[1], sizeof(num[1]), "%d", e->element_ref);
			snprintf(num[2], sizeof(num[2]), "%d", e->element_code);
			/* The position may hold our component separator on purpose. */
			w->failed |= buf_adds(w->out, "AK4");
			w->failed |= buf_addc(w->out, (char)w->dl.element);
			w->failed |= buf_adds(w->out, num[0]);
			const char *rest[3] = { e->element_ref ? num[1] : "", num[2], e->value };
			int n = e->value[0] ? 3 : 2;
			for (int j = 0; j < n; j++) {
				w->failed |= buf_addc(w->out, (char)w->dl.element);
				put_value(w, rest[j]);
			}
			w->failed |= buf_addc(w->out, (char)w->dl.segment);
			w->in_set++;
		}
		char s_st[2] = { s->status ? s->status : 'A', '\0' };
		for (size_t j = 0; j < 5; j++)
			codes_str(c[j], sizeof(c[j]), s->codes, s->n_codes, j);
		seg(w, "AK5", 6, s_st, c[0], c[1], c[2], c[3], c[4]);
	}
	snprintf(num[0], sizeof(num[0]), "%ld", g->declared_sets >= 0 ? g->declared_sets : (long)g->n_sets);
	snprintf(num[1], sizeof(num[1]), "%zu", g->n_sets);
	snprintf(num[2], sizeof(num[2]), "%zu", g->n_accepted);
	for (size_t j = 0; j < 5; j++)
		codes_str(c[j], sizeof(c[j]), g->codes, g->n_codes, j);
	seg(w, "AK9", 9, st, num[0], num[1], num[2], c[0], c[1], c[2], c[3], c[4]);
	set_close(w, ctl);
}

int x12_ack_write_997(const struct ack_info *ack, size_t interchange,
		      const struct x12_reply *r, struct buf *out, const char **error_r)
{
	if (ack == NULL || interchange >= ack->n_interchanges) {
		*error_r = "no such interchange in the acknowledgement data";
		return -1;
	}
	const struct x12_ack_interchange *ic = &ack->interchanges[interchange];
	struct seg_writer w = { .out = out, .dl = ic->delims };
	size_t start = out->len, n_groups = 0;
	char isa13[12], gs06[24];
	unsigned long group = r->group_control, set_ctl = r->set_control;
	bool opened = false;
	for (size_t gi = ic->first_group; gi < ic->first_group + ic->n_groups && gi < ack->n_groups; gi++) {
		const struct x12_ack_group *g = &ack->groups[gi];
		if (strcmp(g->functional_id, "FA") == 0)
			continue;
		char version[13];
		snprintf(version, sizeof(version), "%s", g->version[0] ? g->version : "004010");
		if (!opened) {
			if (envelope_open(&w, ic, r, "FA", g->sender, version, group, error_r) < 0)
				return -1;
			opened = true;
		} else {
			char d[9], t[5];
			reply_time(r, d, t);
			snprintf(gs06, sizeof(gs06), "%lu", group);
			seg(&w, "GS", 8, "FA", r->app_sender ? r->app_sender : r->sender_id, g->sender, d, t,
			    gs06, "X", version);
		}
		write_997(&w, ack, g, set_ctl++);
		snprintf(gs06, sizeof(gs06), "%lu", group++);
		envelope_close(&w, 1, gs06, false);
		n_groups++;
	}
	if (!opened) {
		*error_r = "the interchange has no functional group to acknowledge";
		return -1;
	}
	snprintf(isa13, sizeof(isa13), "%09lu", r->interchange_control);
	envelope_close(&w, n_groups, isa13, true);
	if (w.failed) {
		out->len = start;
		*error_r = "the acknowledgement does not fit in the output buffer";
		return -1;
	}
	return 0;
}

static bool ack_type_ok(const char *t)
{
	static const char *const types[] = { "AT", "AC", "AD", "AE", "AK", "RD", "RF", "RJ", "RO", "NA", NULL };
	for (size_t i = 0; t != NULL && types[i] != NULL; i++)
		if (strcmp(types[i], t) == 0)
			return true;
	return false;
}

/* "2025-01-10" to "20250110"; "" when not a date. */
static void date_x12(char out[9], const char *iso)
{
	out[0] = '\0';
	if (iso == NULL || strlen(iso) != 10)
		return;
	memcpy(out, iso, 4);
	memcpy(out + 4, iso + 5, 2);
	memcpy(out + 6, iso + 8, 2);
	out[8] = '\0';
}

int x12_ack_write_855(const struct order *o, const char *ack_type, const char *seller_order,
		      const char *reason, const struct x12_ack_interchange *ic,
		      const struct x12_reply *r, struct buf *out, const char **error_r)
{
	if (!ack_type_ok(ack_type)) {
		*error_r = "BAK02 must be one of AT AC AD AE AK RD RF RJ RO NA";
		return -1;
	}
	if (o == NULL || ic == NULL || o->po_number == NULL) {
		*error_r = "an order with a PO number and the interchange it came in are needed";
		return -1;
	}
	struct seg_writer w = { .out = out, .dl = ic->delims };
	size_t start = out->len;
	char version[13], ctl[12], gs06[24], isa13[12], po_date[9], today[9], n[24];
	snprintf(version, sizeof(version), "%s", o->format_version ? o->format_version : "004010");
	if (envelope_open(&w, ic, r, "PR", r->app_receiver ? r->app_receiver : ic->sender_id, version,
			  r->group_control, error_r) < 0)
		return -1;
	set_open(&w, "855", r->set_control, ctl);
	date_x12(po_date, o->order_date);
	char hhmm[5];
	reply_time(r, today, hhmm);
	seg(&w, "BAK", 9, "00", ack_type, o->po_number, po_date, NULL, NULL, NULL, seller_order, today);
	if (reason != NULL) {
		seg(&w, "N9", 2, "L1", "REASON");
		if (is_5010(version))
			seg(&w, "MTX", 2, NULL, reason);
		else
			seg(&w, "MSG", 1, reason);
	}
	bool lines = strcmp(ack_type, "RJ") != 0 && strcmp(ack_type, "AK") != 0 && strcmp(ack_type, "NA") != 0;
	size_t n_po1 = 0;
	for (size_t i = 0; lines && i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		seg(&w, "PO1", 13, l->line_no, l->quantity, l->uom_original, l->unit_price, NULL,
		    l->buyer_item_id ? "BP" : NULL, l->buyer_item_id,
		    l->seller_item_id ? "VP" : NULL, l->seller_item_id,
		    l->gtin ? "UK" : NULL, l->gtin,
		    l->manufacturer_part_no ? "MG" : NULL, l->manufacturer_part_no);
		n_po1++;
		const char *status = strcmp(ack_type, "RD") == 0 || strcmp(ack_type, "RF") == 0 ||
				     strcmp(ack_type, "RO") == 0 ? "IR" : "IA";
		seg(&w, "ACK", 3, status, l->quantity, l->uom_original);
	}
	if (lines) {
		snprintf(n, sizeof(n), "%zu", n_po1);
		seg(&w, "CTT", 1, n);
	}
	set_close(&w, ctl);
	snprintf(gs06, sizeof(gs06), "%lu", r->group_control);
	envelope_close(&w, 1, gs06, false);
	snprintf(isa13, sizeof(isa13), "%09lu", r->interchange_control);
	envelope_close(&w, 1, isa13, true);
	if (w.failed) {
		out->len = start;
		*error_r = "the acknowledgement does not fit in the output buffer";
		return -1;
	}
	return 0;
}
