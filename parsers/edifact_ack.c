/* edifact_ack.c — CONTRL and ORDRSP writers (see edifact_ack.h).
 *
 * A small segment writer appends to the caller's struct buf: every value
 * is converted from UTF-8 to the answered interchange's character set
 * (transliterated where it has no such character; upper case for UNOA) and
 * every service character in it is preceded by the release character (with
 * level B separators, which have none, such a character becomes a space).
 * Nothing is allocated that outlives a call.  Failure: -1 with *error_r
 * when an argument is missing or the buffer's maximum is reached; the
 * buffer then holds a partial answer that the caller discards. */
#include "edifact_ack.h"
#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

struct w {
	struct buf *b;
	struct edifact_syntax syn;
	bool upper;              /* UNOA: upper case, level A characters only */
	bool ascii;              /* UNOA/UNOB */
	iconv_t cd;              /* UTF-8 to the set; (iconv_t)-1 = copy as is */
	size_t n_segs;           /* segments since UNH */
	bool failed;
};

static void w_init(struct w *w, struct buf *b, const struct edifact_ack_interchange *in)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->syn = in->syntax;
	if (w->syn.component == 0 || w->syn.element == 0 || w->syn.terminator == 0)
		w->syn = (struct edifact_syntax){ ':', '+', '.', '?', 0, '\'' };
	const char *cs = edifact_charset(in->syntax_id);
	w->cd = (iconv_t)-1;
	w->ascii = cs != NULL && strcmp(cs, "ASCII") == 0;
	w->upper = strcmp(in->syntax_id, "UNOA") == 0;
	if (cs != NULL && strcmp(cs, "UTF-8") != 0) {
		char to[32];
		snprintf(to, sizeof(to), "%s//TRANSLIT", cs);
		w->cd = iconv_open(to, "UTF-8");
	}
}

static void w_done(struct w *w)
{
	if (w->cd != (iconv_t)-1)
		iconv_close(w->cd);
	w->cd = (iconv_t)-1;
}

static void w_raw(struct w *w, const char *s, size_t n)
{
	if (buf_add(w->b, s, n) < 0)
		w->failed = true;
}

static void w_char(struct w *w, unsigned char c)
{
	if (buf_addc(w->b, (char)c) < 0)
		w->failed = true;
}

static bool special(const struct w *w, unsigned char c)
{
	return c == w->syn.component || c == w->syn.element || c == w->syn.terminator ||
	       (w->syn.release && c == w->syn.release) || (w->syn.repetition && c == w->syn.repetition);
}

/* A value: converted, then released. */
static void w_val(struct w *w, const char *v)
{
	if (v == NULL)
		return;
	char conv[4096];
	const char *p = v;
	size_t n = strlen(v);
	if (w->cd != (iconv_t)-1) {
		char *ip = (char *)v, *op = conv;
		size_t il = n, ol = sizeof(conv);
		iconv(w->cd, NULL, NULL, NULL, NULL);
		while (il > 0 && iconv(w->cd, &ip, &il, &op, &ol) == (size_t)-1) {
			if (ol == 0)
				break;
			/* A character the set cannot hold, even transliterated. */
			*op++ = '?';
			ol--;
			ip++;
			il--;
			while (il > 0 && ((unsigned char)*ip & 0xc0) == 0x80) {
				ip++;
				il--;
			}
		}
		p = conv;
		n = (size_t)(op - conv);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (w->upper) {
			c = (unsigned char)toupper(c);
			if (!edifact_level_a(c))
				c = ' ';
		} else if (w->ascii && (c >= 0x80 || c < 0x20)) {
			c = ' ';
		}
		if (special(w, c)) {
			if (w->syn.release == 0)
				c = ' ';
			else
				w_char(w, w->syn.release);
		}
		w_char(w, c);
	}
}

static void w_seg(struct w *w, const char *tag)
{
	w_raw(w, tag, strlen(tag));
	w->n_segs++;
}

static void w_el(struct w *w, const char *v)
{
	w_char(w, w->syn.element);
	w_val(w, v);
}

static void w_comp(struct w *w, const char *v)
{
	w_char(w, w->syn.component);
	w_val(w, v);
}

/* An element "id:qualifier" (the qualifier left out when empty). */
static void w_id(struct w *w, const char *id, const char *qual)
{
	w_el(w, id);
	if (qual != NULL && *qual != '\0')
		w_comp(w, qual);
}

/* A decimal from the record, written with the interchange's decimal mark. */
static void w_dec(struct w *w, const char *v)
{
	char d[64];
	snprintf(d, sizeof(d), "%s", v);
	if (w->syn.decimal == ',')
		for (char *p = d; *p; p++)
			if (*p == '.')
				*p = ',';
	w_comp(w, d);
}

static void w_int(struct w *w, long v)
{
	char n[24];
	snprintf(n, sizeof(n), "%ld", v);
	w_el(w, n);
}

static void w_end(struct w *w)
{
	w_char(w, w->syn.terminator);
}

static bool default_separators(const struct edifact_syntax *s)
{
	return (s->component == ':' && s->element == '+' && s->release == '?' && s->terminator == '\'' &&
		s->decimal == '.') ||
	       (s->component == 0x1f && s->element == 0x1d && s->terminator == 0x1c && s->release == 0);
}

/* UNA (when the answered interchange had one or needs one) and UNB. */
static void w_header(struct w *w, const struct edifact_ack_interchange *in, const struct edifact_ack_ids *ids)
{
	if (in->has_una || !default_separators(&w->syn)) {
		w_raw(w, "UNA", 3);
		w_char(w, w->syn.component);
		w_char(w, w->syn.element);
		w_char(w, w->syn.decimal ? w->syn.decimal : '.');
		w_char(w, w->syn.release ? w->syn.release : ' ');
		w_char(w, w->syn.repetition ? w->syn.repetition : ' ');
		w_char(w, w->syn.terminator);
	}
	char ver[8], date[16];
	int v = in->syntax_version >= 1 && in->syntax_version <= 4 ? in->syntax_version : 3;
	snprintf(ver, sizeof(ver), "%d", v);
	/* CCYYMMDD in syntax 4, YYMMDD before. */
	snprintf(date, sizeof(date), "%s", strlen(ids->date) == 8 && v < 4 ? ids->date + 2 : ids->date);
	w_seg(w, "UNB");
	w_el(w, in->syntax_id[0] ? in->syntax_id : "UNOA");
	w_comp(w, ver);
	w_id(w, ids->sender, ids->sender_qual);
	if (ids->recipient != NULL)
		w_id(w, ids->recipient, ids->recipient_qual);
	else
		w_id(w, in->sender, in->sender_qual);
	w_el(w, date);
	w_comp(w, ids->time);
	w_el(w, ids->control_ref);
	w_end(w);
}

static void w_unh(struct w *w, const char *ref, const char *type, const char *version,
		  const char *release, const char *assoc)
{
	w->n_segs = 0;
	w_seg(w, "UNH");
	w_el(w, ref);
	w_el(w, type);
	w_comp(w, version);
	w_comp(w, release);
	w_comp(w, "UN");
	if (assoc != NULL && *assoc != '\0')
		w_comp(w, assoc);
	w_end(w);
}

static int w_trailer(struct w *w, const char *ref, const struct edifact_ack_ids *ids, const char **error_r)
{
	w_seg(w, "UNT");
	w_int(w, (long)w->n_segs);
	w_el(w, ref);
	w_end(w);
	w_raw(w, "UNZ", 3);
	w_int(w, 1);
	w_el(w, ids->control_ref);
	w_end(w);
	w_done(w);
	if (w->failed) {
		*error_r = "the answer does not fit in the output buffer";
		return -1;
	}
	return 0;
}

static int check_ids(const struct edifact_ack_ids *ids, const char **error_r)
{
	if (ids == NULL || ids->sender == NULL || ids->control_ref == NULL || ids->date == NULL ||
	    ids->time == NULL || (strlen(ids->date) != 8 && strlen(ids->date) != 6)) {
		*error_r = "our sender id, control reference, date (CCYYMMDD) and time (HHMM) are needed";
		return -1;
	}
	return 0;
}

/* UCM (+ UCS) for one message. */
static void w_ucm(struct w *w, const struct edifact_ack_message *m)
{
	char code[8];
	w_seg(w, "UCM");
	w_el(w, m->ref);
	w_el(w, m->type);
	w_comp(w, m->version);
	w_comp(w, m->release);
	w_comp(w, m->agency);
	if (m->assoc[0] != '\0')
		w_comp(w, m->assoc);
	w_el(w, m->accepted ? "7" : "4");
	if (!m->accepted && m->error != 0) {
		snprintf(code, sizeof(code), "%d", m->error);
		w_el(w, code);
	}
	w_end(w);
	if (!m->accepted && m->error_tag[0] != '\0') {
		w_seg(w, "UCS");
		w_int(w, (long)m->error_position);
		snprintf(code, sizeof(code), "%d", m->error);
		w_el(w, code);
		w_end(w);
	}
}

int edifact_write_contrl(const struct edifact_ack *ack, size_t ic, const struct edifact_ack_ids *ids,
			 struct buf *out, const char **error_r)
{
	if (ack == NULL || ic >= ack->n_interchanges) {
		*error_r = "no such interchange";
		return -1;
	}
	if (check_ids(ids, error_r) < 0)
		return -1;
	const struct edifact_ack_interchange *in = &ack->interchanges[ic];
	struct w w;
	w_init(&w, out, in);
	w_header(&w, in, ids);
	if (in->syntax_version >= 4)
		w_unh(&w, "1", "CONTRL", "4", "1", NULL);
	else
		w_unh(&w, "1", "CONTRL", "D", "3", NULL);

	size_t accepted = 0;
	for (size_t i = 0; i < in->n_messages; i++)
		accepted += ack->messages[in->first_message + i].accepted;
	/* The interchange is acknowledged unless nothing in it could be taken
	 * and the envelope itself was at fault. */
	bool reject = accepted == 0 && in->error != 0;
	char code[8];
	w_seg(&w, "UCI");
	w_el(&w, in->control_ref);
	w_id(&w, in->sender, in->sender_qual);
	w_id(&w, in->recipient, in->recipient_qual);
	w_el(&w, reject ? "4" : "7");
	if (reject) {
		snprintf(code, sizeof(code), "%d", in->error);
		w_el(&w, code);
	}
	w_end(&w);
	/* Messages outside groups, then each group with its messages. */
	for (size_t i = 0; i < in->n_messages; i++) {
		const struct edifact_ack_message *m = &ack->messages[in->first_message + i];
		if (m->group < 0)
			w_ucm(&w, m);
	}
	for (size_t g = 0; g < in->n_groups; g++) {
		size_t gi = in->first_group + g;
		const struct edifact_ack_group *grp = &ack->groups[gi];
		bool ok = grp->accepted || grp->error == 0;
		w_seg(&w, "UCF");
		w_el(&w, grp->ref);
		w_id(&w, grp->sender, grp->sender_qual);
		w_id(&w, grp->recipient, grp->recipient_qual);
		w_el(&w, ok ? "7" : "4");
		if (!ok) {
			snprintf(code, sizeof(code), "%d", grp->error);
			w_el(&w, code);
		}
		w_end(&w);
		for (size_t i = 0; i < in->n_messages; i++) {
			const struct edifact_ack_message *m = &ack->messages[in->first_message + i];
			if (m->group == (long)gi)
				w_ucm(&w, m);
		}
	}
	return w_trailer(&w, "1", ids, error_r);
}

/* "YYYY-MM-DD" to "CCYYMMDD" in out (9 bytes); false if not a date. */
static bool ccyymmdd(const char *d, char *out)
{
	if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	memcpy(out, d, 4);
	memcpy(out + 4, d + 5, 2);
	memcpy(out + 6, d + 8, 2);
	out[8] = '\0';
	return true;
}

static void w_dtm(struct w *w, const char *qual, const char *date)
{
	char d[9];
	if (!ccyymmdd(date, d))
		return;
	w_seg(w, "DTM");
	w_el(w, qual);
	w_comp(w, d);
	w_comp(w, "102");
	w_end(w);
}

/* NAD+role with the party's first id (agency from its scheme). */
static void w_nad(struct w *w, const char *role, const struct party *p)
{
	if (p == NULL)
		return;
	w_seg(w, "NAD");
	w_el(w, role);
	if (p->n_ids > 0) {
		const char *agency = edifact_scheme_agency(p->ids[0].scheme);
		w_el(w, p->ids[0].value);
		if (agency != NULL) {
			w_comp(w, NULL);
			w_comp(w, agency);
		}
	} else if (p->name != NULL) {
		w_el(w, NULL);
		w_el(w, NULL);
		w_el(w, p->name);
	}
	w_end(w);
}

static const struct edifact_ordrsp_line *find_line(const struct edifact_ordrsp *r, const char *line_no)
{
	for (size_t i = 0; line_no != NULL && i < r->n_lines; i++)
		if (r->lines[i].line_no != NULL && strcmp(r->lines[i].line_no, line_no) == 0)
			return &r->lines[i];
	return NULL;
}

int edifact_write_ordrsp(const struct order *o, const struct edifact_ack_interchange *in,
			 const struct edifact_ordrsp *r, const struct edifact_ack_ids *ids,
			 struct buf *out, const char **error_r)
{
	if (o == NULL || in == NULL || r == NULL || r->number == NULL) {
		*error_r = "an order, the interchange it came in and a response number are needed";
		return -1;
	}
	if (r->code != ORDRSP_ACCEPT && r->code != ORDRSP_REJECT && r->code != ORDRSP_CHANGE) {
		*error_r = "the response code must be 29 (accept), 27 (reject) or 4 (change)";
		return -1;
	}
	if (check_ids(ids, error_r) < 0)
		return -1;
	struct w w;
	char code[8], ver[4] = "D", rel[4] = "96A";
	/* The directory of the order: "D01B" -> D, 01B. */
	if (o->format_version != NULL && strlen(o->format_version) == 4) {
		snprintf(ver, sizeof(ver), "%.1s", o->format_version);
		snprintf(rel, sizeof(rel), "%s", o->format_version + 1);
	}
	const char *ref = r->message_ref ? r->message_ref : "1";
	w_init(&w, out, in);
	w_header(&w, in, ids);
	w_unh(&w, ref, "ORDRSP", ver, rel, r->assoc);
	snprintf(code, sizeof(code), "%d", (int)r->code);
	w_seg(&w, "BGM");
	w_el(&w, "231");
	w_el(&w, r->number);
	w_el(&w, code);
	w_end(&w);
	char today[9];
	snprintf(today, sizeof(today), "%s", ids->date);
	if (strlen(today) == 8) {
		w_seg(&w, "DTM");
		w_el(&w, "137");
		w_comp(&w, today);
		w_comp(&w, "102");
		w_end(&w);
	}
	if (r->reason != NULL) {
		/* FTX 4440 is an..512, five of them at most. */
		size_t n = strlen(r->reason);
		w_seg(&w, "FTX");
		w_el(&w, "AAI");
		w_el(&w, NULL);
		w_el(&w, NULL);
		w_el(&w, NULL);
		for (size_t off = 0, k = 0; off < n && k < 5; k++) {
			char part[513];
			size_t len = n - off > 512 ? 512 : n - off;
			/* Do not split a UTF-8 character. */
			while (len > 0 && off + len < n && ((unsigned char)r->reason[off + len] & 0xc0) == 0x80)
				len--;
			memcpy(part, r->reason + off, len);
			part[len] = '\0';
			if (k)
				w_comp(&w, part);
			else
				w_val(&w, part);
			off += len;
		}
		w_end(&w);
	}
	w_seg(&w, "RFF");
	w_el(&w, "ON");
	w_comp(&w, o->po_number);
	w_end(&w);
	w_dtm(&w, "171", o->order_date);
	w_nad(&w, "BY", o->parties[ROLE_BUYER]);
	w_nad(&w, "SU", o->parties[ROLE_SELLER]);
	size_t n_lin = 0;
	if (r->code == ORDRSP_CHANGE) {
		for (size_t i = 0; i < o->n_lines; i++) {
			const struct order_line *l = &o->lines[i];
			const struct edifact_ordrsp_line *c = find_line(r, l->line_no);
			char act[8];
			snprintf(act, sizeof(act), "%d", c ? c->action : 5);
			w_seg(&w, "LIN");
			w_el(&w, l->line_no);
			w_el(&w, act);
			if (l->gtin != NULL) {
				w_el(&w, l->gtin);
				w_comp(&w, "SRV");
			}
			w_end(&w);
			if (l->seller_item_id != NULL || l->buyer_item_id != NULL) {
				w_seg(&w, "PIA");
				w_el(&w, "1");
				if (l->seller_item_id != NULL) {
					w_el(&w, l->seller_item_id);
					w_comp(&w, "SA");
				}
				if (l->buyer_item_id != NULL) {
					w_el(&w, l->buyer_item_id);
					w_comp(&w, "IN");
				}
				w_end(&w);
			}
			const char *q = c && c->quantity ? c->quantity : l->quantity;
			if (q != NULL) {
				w_seg(&w, "QTY");
				w_el(&w, "21");
				w_dec(&w, q);
				if (l->uom_original != NULL)
					w_comp(&w, l->uom_original);
				w_end(&w);
			}
			if (c != NULL)
				w_dtm(&w, "69", c->delivery_date);
			n_lin++;
		}
	}
	w_seg(&w, "UNS");
	w_el(&w, "S");
	w_end(&w);
	if (r->code == ORDRSP_CHANGE) {
		w_seg(&w, "CNT");
		w_el(&w, "2");
		snprintf(code, sizeof(code), "%zu", n_lin);
		w_comp(&w, code);
		w_end(&w);
	}
	return w_trailer(&w, ref, ids, error_r);
}
