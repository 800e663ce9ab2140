/* cxml.c — cXML OrderRequest into struct order (order-mapping.md section 6).
 *
 * Read whole by xmlsafe_read() (offline: the DOCTYPE's SYSTEM URL is only
 * looked at for the version number), mapped into one order built in its
 * own arena, emitted, then everything is freed.  cXML has no namespace:
 * elements are matched as no-namespace names, so a document that puts
 * cXML elements in some namespace is not read as cXML.  The Sender's
 * SharedSecret is never read.  Values that do not fit are left out with
 * a warning naming the XML line; anything that is not a cXML OrderRequest
 * is either a recognised non-order (out->not_order) or an error. */
#include "cxml.h"
#include "limits.h"
#include "xmlmap.h"
#include "xmlsafe.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


int cxml_sniff(const unsigned char *data, size_t len)
{
	char local[16], ns[128];
	if (xmlsafe_sniff_root(data, len, local, sizeof(local), ns, sizeof(ns)) < 0)
		return 0;
	return strcmp(local, "cXML") == 0 && ns[0] == '\0' ? 95 : 0;
}

/* ---- finding elements ---------------------------------------------------- */

static const char *date_attr(struct xmlmap_ctx *c, const xmlNode *n, const char *name)
{
	return xmlmap_date(c->o, c->d, n, name, xmlmap_attr(c, n, name));
}

static void warn_at(struct xmlmap_ctx *c, const xmlNode *n, const char *msg, const char *arg)
{
	char where[48];
	diag_add(c->d, DIAG_WARNING, xmlsafe_where(n, where, sizeof(where)), "%s%s", msg, arg ? arg : "");
}

/* A Money element: the value, and the currency checked against the order's. */
static const char *money(struct xmlmap_ctx *c, const xmlNode *m)
{
	if (m == NULL)
		return NULL;
	const char *cur = xmlmap_attr(c, m, "currency");
	if (cur != NULL && c->o->currency == NULL)
		c->o->currency = xmlmap_upper(c->o, cur);
	else if (cur != NULL && strcasecmp(cur, c->o->currency) != 0)
		warn_at(c, m, "Money in a second currency: ", cur);
	return xmlmap_decimal(c->o, c->d, m, "Money", xmlmap_text(c, m));
}

#define SET(field, value) do { if ((field) == NULL) (field) = (value); } while (0)

/* ---- parties ------------------------------------------------------------------ */

/* "+1 800 5551212" from a structured Phone/TelephoneNumber. */
static const char *phone(struct xmlmap_ctx *c, const xmlNode *ph)
{
	const xmlNode *tn = xmlmap_get(c, ph, "TelephoneNumber");
	if (tn == NULL)
		return NULL;
	const char *cc = xmlmap_val(c, tn, "CountryCode"), *area = xmlmap_val(c, tn, "AreaOrCityCode");
	const char *num = xmlmap_val(c, tn, "Number"), *ext = xmlmap_val(c, tn, "Extension");
	const char *s = cc ? xmlmap_cat(c->o, "+", cc, "") : NULL;
	s = xmlmap_join(c->o, s, " ", area);
	s = xmlmap_join(c->o, s, " ", num);
	if (ext != NULL)
		s = xmlmap_join(c->o, s, " ext. ", ext);
	return s;
}

static void postal(struct xmlmap_ctx *c, const xmlNode *pa, struct party *p, const char *country_fallback)
{
	struct order *o = c->o;
	if (pa == NULL || p->n_address_lines > 0 || p->city != NULL)
		return;
	for (const xmlNode *n = xmlmap_get(c, pa, "DeliverTo"); n; n = xmlsafe_again(n))
		party_add_address_line(o, p, xmlmap_text(c, n));
	for (const xmlNode *n = xmlmap_get(c, pa, "Street"); n; n = xmlsafe_again(n))
		party_add_address_line(o, p, xmlmap_text(c, n));
	p->city = xmlmap_val(c, pa, "City");
	p->region = xmlmap_val(c, pa, "State");
	p->postal_code = xmlmap_val(c, pa, "PostalCode");
	const xmlNode *ctry = xmlmap_get(c, pa, "Country");
	const char *iso = xmlmap_attr(c, ctry, "isoCountryCode");
	p->country = xmlmap_upper(o, iso ? iso : country_fallback);
	if (p->country == NULL && ctry != NULL)
		warn_at(c, ctry, "Country without isoCountryCode: ", xmlmap_text(c, ctry));
}

/* An Address element (ShipTo, BillTo, BusinessPartner) into p. */
static void address(struct xmlmap_ctx *c, const xmlNode *a, struct party *p)
{
	if (a == NULL)
		return;
	const char *id = xmlmap_attr(c, a, "addressID");
	if (id != NULL)
		party_add_id(c->o, p, xmlmap_scheme(c->o, xmlmap_attr(c, a, "addressIDDomain"), "BUYER"), id);
	SET(p->name, xmlmap_val(c, a, "Name"));
	postal(c, xmlmap_get(c, a, "PostalAddress"), p, xmlmap_attr(c, a, "isoCountryCode"));
	SET(p->contact_email, xmlmap_val(c, a, "Email"));
	SET(p->contact_phone, phone(c, xmlmap_get(c, a, "Phone")));
}

static void credentials(struct xmlmap_ctx *c, const xmlNode *who, enum order_role role, bool is_sender)
{
	for (const xmlNode *cr = xmlmap_get(c, who, "Credential"); cr; cr = xmlsafe_again(cr)) {
		const char *domain = xmlmap_attr(c, cr, "domain"), *id = xmlmap_val(c, cr, "Identity");
		if (id == NULL)
			continue;
		struct party *p = order_party(c->o, role);
		if (p != NULL)
			party_add_id(c->o, p, xmlmap_scheme(c->o, domain, "ID"), id);
		if (is_sender && c->o->source.sender == NULL)
			c->o->source.sender = domain ? xmlmap_cat(c->o, domain, ":", id) : id;
	}
}

static void contact(struct xmlmap_ctx *c, const xmlNode *ct, struct party *p)
{
	SET(p->contact_name, xmlmap_val(c, ct, "Name"));
	SET(p->contact_email, xmlmap_val(c, ct, "Email"));
	SET(p->contact_phone, phone(c, xmlmap_get(c, ct, "Phone")));
}

/* The buyer: From credentials, BusinessPartner role="soldTo", and the
 * order Contact (role buyer or purchasingAgent first, else the first). */
static void buyer(struct xmlmap_ctx *c, const xmlNode *header, const xmlNode *orh)
{
	credentials(c, xmlmap_get(c, header, "From"), ROLE_BUYER, true);
	struct party *p = order_party(c->o, ROLE_BUYER);
	if (p == NULL)
		return;
	for (const xmlNode *bp = xmlmap_get(c, orh, "BusinessPartner"); bp; bp = xmlsafe_again(bp)) {
		const char *role = xmlmap_attr(c, bp, "role");
		if (role == NULL || strcmp(role, "soldTo") != 0)
			continue;
		address(c, xmlmap_get(c, bp, "Address"), p);
		for (const xmlNode *ir = xmlmap_get(c, bp, "IdReference"); ir; ir = xmlsafe_again(ir))
			party_add_id(c->o, p, xmlmap_scheme(c->o, xmlmap_attr(c, ir, "domain"), "ID"),
				     xmlmap_attr(c, ir, "identifier"));
	}
	const xmlNode *chosen = NULL;
	for (const xmlNode *ct = xmlmap_get(c, orh, "Contact"); ct; ct = xmlsafe_again(ct)) {
		const char *role = xmlmap_attr(c, ct, "role");
		if (chosen == NULL || (role && (strcmp(role, "buyer") == 0 || strcmp(role, "purchasingAgent") == 0)))
			chosen = ct;
	}
	if (chosen != NULL)
		contact(c, chosen, p);
}

/* ---- header ------------------------------------------------------------------ */

/* Descriptive TransportTerms values -> Incoterms codes (letters only,
 * lower case, as the DTD comment and common senders spell them). */
static const char *transport_term(const char *value)
{
	static const struct { const char *name, *code; } terms[] = {
		{ "exworks", "EXW" }, { "freecarrier", "FCA" }, { "freealongsideship", "FAS" },
		{ "freeonboard", "FOB" }, { "costandfreight", "CFR" },
		{ "costinsuranceandfreight", "CIF" }, { "costinsurancefreight", "CIF" },
		{ "carriagepaidto", "CPT" }, { "carriageandinsurancepaidto", "CIP" },
		{ "carriageinsurancepaidto", "CIP" }, { "deliveredatplace", "DAP" },
		{ "deliveredatplaceunloaded", "DPU" }, { "deliveredatterminal", "DAT" },
		{ "delivereddutypaid", "DDP" }, { "delivereddutyunpaid", "DDU" },
		{ "deliveredatfrontier", "DAF" }, { "deliveredexship", "DES" },
		{ "deliveredexquay", "DEQ" },
	};
	char k[48];
	size_t n = 0;
	for (const char *s = value; *s && n + 1 < sizeof(k); s++)
		if (isalpha((unsigned char)*s))
			k[n++] = (char)tolower((unsigned char)*s);
	k[n] = '\0';
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++)
		if (strcmp(k, terms[i].name) == 0)
			return terms[i].code;
	return NULL;
}

static void terms_of_delivery(struct xmlmap_ctx *c, const xmlNode *tod)
{
	struct order *o = c->o;
	if (tod == NULL)
		return;
	const xmlNode *tt = xmlmap_get(c, tod, "TransportTerms");
	const char *value = xmlmap_attr(c, tt, "value"), *t = xmlmap_text(c, tt);
	const char *code = NULL, *place_text = NULL;
	if (value != NULL && strcasecmp(value, "Other") != 0) {
		code = transport_term(value);
		if (code == NULL)
			code = value;          /* a code, or an unknown name: kept, checked later */
		place_text = t;
	} else {
		place_text = t;            /* "Other": the text carries "FOB Shanghai" */
	}
	const xmlNode *addr = xmlmap_get(c, tod, "Address");
	const char *place = xmlmap_val(c, addr, "Name");
	SET(place, xmlmap_val(c, addr, "PostalAddress/City"));
	if (place != NULL && place_text != NULL)
		place = xmlmap_cat(o, place_text, " ", place);
	else if (place == NULL)
		place = place_text;
	if (place == NULL)
		place = xmlmap_val(c, tod, "Comments");
	xmlmap_incoterms(o, c->d, tt ? tt : tod, code, place);
	const xmlNode *spm = xmlmap_get(c, tod, "ShippingPaymentMethod");
	const char *how = xmlmap_attr(c, spm, "value");
	if (how == NULL || strcasecmp(how, "Other") == 0)
		how = xmlmap_text(c, spm) ? xmlmap_text(c, spm) : how;
	o->transport_payment = how;
}

static void payment_terms(struct xmlmap_ctx *c, const xmlNode *orh)
{
	struct order *o = c->o;
	for (const xmlNode *pt = xmlmap_get(c, orh, "PaymentTerm"); pt; pt = xmlsafe_again(pt)) {
		o->has_payment_terms = true;
		const char *days = xmlmap_attr(c, pt, "payInNumberOfDays");
		int v = xmlmap_net_days(days ? xmlmap_cat(o, days, " days", "") : NULL);
		const xmlNode *disc = xmlmap_get(c, pt, "Discount");
		const char *pct = xmlmap_attr(c, xmlmap_get(c, disc, "DiscountPercent"), "percent");
		if (disc != NULL && pct != NULL) {
			o->payment_discount_percent = xmlmap_decimal(o, c->d, disc, "DiscountPercent", pct);
			o->payment_discount_days = v;
		} else if (v >= 0) {
			o->payment_net_days = v;
		}
		if (v >= 0)
			o->payment_terms_text = xmlmap_join(o, o->payment_terms_text, "; ",
				disc && pct ? arena_printf(o->arena, "%s%% discount within %d days", pct, v)
					    : arena_printf(o->arena, "net %d days", v));
	}
}

/* Comments: own text, plus attachment URLs (a salesperson must see them). */
static void comments(struct xmlmap_ctx *c, const xmlNode *parent, struct order_line *l)
{
	struct order *o = c->o;
	for (const xmlNode *cm = xmlmap_get(c, parent, "Comments"); cm; cm = xmlsafe_again(cm)) {
		const char *t = xmlmap_text(c, cm);
		if (l != NULL)
			line_add_note(o, l, t);
		else
			order_add_note(o, t);
		for (const xmlNode *at = xmlmap_get(c, cm, "Attachment"); at; at = xmlsafe_again(at)) {
			const char *url = xmlmap_val(c, at, "URL");
			if (url == NULL)
				continue;
			const char *n = xmlmap_cat(o, "attachment: ", url, "");
			if (l != NULL)
				line_add_note(o, l, n);
			else
				order_add_note(o, n);
		}
	}
}

/* Extrinsic name -> which port it names (by agreement, section 6). */
static int port_kind(const char *name)
{
	char k[40];
	size_t n = 0;
	for (const char *s = name; s && *s && n + 1 < sizeof(k); s++)
		if (isalnum((unsigned char)*s))
			k[n++] = (char)tolower((unsigned char)*s);
	k[n] = '\0';
	if (strcmp(k, "portofloading") == 0 || strcmp(k, "loadingport") == 0)
		return 1;
	if (strcmp(k, "portofdischarge") == 0 || strcmp(k, "dischargeport") == 0)
		return 2;
	if (strcmp(k, "hscode") == 0 || strcmp(k, "hts") == 0 || strcmp(k, "customstariffnumber") == 0)
		return 3;
	return 0;
}

static const char *route_mode(const char *method)
{
	static const struct { const char *m, *rec19; } modes[] = {
		{ "ship", "1" }, { "rail", "2" }, { "motor", "3" }, { "air", "4" },
		{ "mail", "5" }, { "multimodal", "6" }, { "fixedTransport", "7" }, { "inlandWater", "8" },
	};
	for (size_t i = 0; method && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcasecmp(method, modes[i].m) == 0)
			return modes[i].rec19;
	return NULL;
}

static void header(struct xmlmap_ctx *c, const xmlNode *root, const xmlNode *request, const xmlNode *orh)
{
	struct order *o = c->o;
	const xmlNode *hdr = xmlmap_get(c, root, "Header");
	o->format = "cxml-order";
	o->source.message = xmlmap_attr(c, root, "payloadID");
	const char *mode = xmlmap_attr(c, request, "deploymentMode");
	o->is_test = mode != NULL && strcmp(mode, "test") == 0;
	o->po_number = xmlmap_attr(c, orh, "orderID");
	o->order_date = date_attr(c, orh, "orderDate");
	if (o->order_date == NULL && xmlmap_attr(c, orh, "orderDate") == NULL) {
		o->order_date = date_attr(c, root, "timestamp");
		if (o->order_date != NULL)
			warn_at(c, orh, "OrderRequestHeader has no orderDate; the cXML timestamp date is used", NULL);
	}
	const char *type = xmlmap_attr(c, orh, "type");
	if (type == NULL || strcmp(type, "new") == 0)
		o->document_type = "new";
	else if (strcmp(type, "update") == 0)
		o->document_type = "change";
	else if (strcmp(type, "delete") == 0)
		o->document_type = "cancel";
	else
		warn_at(c, orh, "unknown OrderRequestHeader type (read as new): ", type);
	o->po_revision = xmlmap_attr(c, orh, "orderVersion");
	o->order_type = xmlmap_attr(c, orh, "orderType");
	o->declared_amount = money(c, xmlmap_get(c, orh, "Total/Money"));

	buyer(c, hdr, orh);
	credentials(c, xmlmap_get(c, hdr, "To"), ROLE_SELLER, false);
	const xmlNode *ship = xmlmap_get(c, orh, "ShipTo");
	if (ship != NULL) {
		address(c, xmlmap_get(c, ship, "Address"), order_party(o, ROLE_SHIP_TO));
		o->transport_mode = route_mode(xmlmap_attr(c, xmlmap_get(c, ship, "TransportInformation/Route"), "method"));
	}
	if (xmlmap_get(c, orh, "BillTo/Address") != NULL)
		address(c, xmlmap_get(c, orh, "BillTo/Address"), order_party(o, ROLE_BILL_TO));

	o->requested_delivery_date = date_attr(c, orh, "requestedDeliveryDate");
	o->ship_by_date = date_attr(c, orh, "pickUpDate");
	const xmlNode *per = xmlmap_get(c, orh, "DeliveryPeriod/Period");
	if (per != NULL) {
		const char *s = date_attr(c, per, "startDate"), *e = date_attr(c, per, "endDate");
		if (s && e && strcmp(s, e) == 0)
			SET(o->requested_delivery_date, e);
		else {
			o->window_earliest = s;
			o->window_latest = e;
		}
	}
	payment_terms(c, orh);
	terms_of_delivery(c, xmlmap_get(c, orh, "TermsOfDelivery"));
	comments(c, orh, NULL);
	for (const xmlNode *ex = xmlmap_get(c, orh, "Extrinsic"); ex; ex = xmlsafe_again(ex)) {
		int k = port_kind(xmlmap_attr(c, ex, "name"));
		if (k == 1)
			o->port_of_loading = xmlmap_text(c, ex);
		else if (k == 2)
			o->port_of_discharge = xmlmap_text(c, ex);
	}
}

/* ---- lines ------------------------------------------------------------------- */

static void item_out(struct xmlmap_ctx *c, const xmlNode *io)
{
	struct order *o = c->o;
	struct order_line *l = order_add_line(o);
	if (l == NULL)
		return;
	l->line_no = xmlmap_attr(c, io, "lineNumber");
	l->quantity = xmlmap_decimal(o, c->d, io, "quantity", xmlmap_attr(c, io, "quantity"));
	l->delivery_date = date_attr(c, io, "requestedDeliveryDate");
	l->ship_by_date = date_attr(c, io, "requestedShipmentDate");
	const xmlNode *sl = xmlmap_get(c, io, "ScheduleLine");
	SET(l->delivery_date, date_attr(c, sl, "requestedDeliveryDate"));
	const xmlNode *id = xmlmap_get(c, io, "ItemID");
	l->seller_item_id = xmlmap_val(c, id, "SupplierPartID");
	const char *aux = xmlmap_val(c, id, "SupplierPartAuxiliaryID");
	if (aux != NULL)
		line_add_note(o, l, xmlmap_cat(o, "SupplierPartAuxiliaryID: ", aux, ""));
	l->buyer_item_id = xmlmap_val(c, id, "BuyerPartID");
	const xmlNode *det = xmlmap_get(c, io, "ItemDetail");
	l->unit_price = money(c, xmlmap_get(c, det, "UnitPrice/Money"));
	l->description = xmlmap_val(c, det, "Description");
	SET(l->description, xmlmap_val(c, det, "Description/ShortName"));
	l->uom_original = xmlmap_val(c, det, "UnitOfMeasure");
	l->uom_code = xmlmap_uom(o, l->uom_original);
	const xmlNode *pbq = xmlmap_get(c, det, "PriceBasisQuantity");
	if (pbq != NULL) {
		l->price_basis_quantity = xmlmap_decimal(o, c->d, pbq, "PriceBasisQuantity",
							 xmlmap_attr(c, pbq, "quantity"));
		l->price_basis_uom = xmlmap_uom(o, xmlmap_val(c, pbq, "UnitOfMeasure"));
	}
	l->manufacturer_part_no = xmlmap_val(c, det, "ManufacturerPartID");
	const xmlNode *ean = xmlmap_get(c, det, "ItemDetailIndustry/ItemDetailRetail/EANID");
	l->gtin = xmlmap_gtin(o, c->d, ean, xmlmap_text(c, ean));
	for (const xmlNode *cl = xmlmap_get(c, det, "Classification"); cl; cl = xmlsafe_again(cl)) {
		const char *dom = xmlmap_attr(c, cl, "domain");
		if (dom != NULL && (strcasecmp(dom, "HS") == 0 || strcasecmp(dom, "HTS") == 0 ||
				    strcasecmp(dom, "HSCode") == 0))
			SET(l->hs_code, xmlmap_text(c, cl));
	}
	for (const xmlNode *ex = xmlmap_get(c, det, "Extrinsic"); ex; ex = xmlsafe_again(ex))
		if (port_kind(xmlmap_attr(c, ex, "name")) == 3)
			SET(l->hs_code, xmlmap_text(c, ex));
	if (xmlmap_get(c, io, "ShipTo") != NULL)
		warn_at(c, xmlmap_get(c, io, "ShipTo"), "a line-level ShipTo is not kept; the order's ShipTo applies", NULL);
	comments(c, io, l);
}

/* ---- the document ---------------------------------------------------------------- */

/* "1.2.050" from ".../cXML/1.2.050/cXML.dtd", else the version attribute. */
static const char *version(struct xmlmap_ctx *c, const xmlDoc *doc, const xmlNode *root)
{
	const xmlDtd *dtd = doc->intSubset;
	const char *sys = dtd && dtd->SystemID ? (const char *)dtd->SystemID : NULL;
	const char *p = sys ? strcasestr(sys, "/cXML/") : NULL;
	if (p != NULL) {
		p += 6;
		size_t n = 0;
		while (p[n] && (isdigit((unsigned char)p[n]) || p[n] == '.'))
			n++;
		if (n > 0 && p[n] == '/')
			return order_strn(c->o, p, n);
	}
	return xmlmap_attr(c, root, "version");
}

/* The element naming what a non-OrderRequest cXML document is ("Response",
 * "PunchOutOrderMessage" ...), "" when there is nothing, NULL for an order. */
static const char *what_else(const xmlNode *root, const xmlNode **request_r, const xmlNode **orh_r)
{
	const xmlNode *req = xmlsafe_get(root, NULL, "Request");
	const xmlNode *orq = xmlsafe_get(req, NULL, "OrderRequest");
	*request_r = req;
	*orh_r = xmlsafe_get(orq, NULL, "OrderRequestHeader");
	if (orq != NULL)
		return NULL;
	if (xmlsafe_get(root, NULL, "Response") != NULL)
		return "Response";
	const xmlNode *body = req ? xmlsafe_child(req, NULL, NULL) : xmlsafe_child(xmlsafe_get(root, NULL, "Message"), NULL, NULL);
	return body ? (const char *)body->name : "";
}

int cxml_parse(const struct parse_input *in, struct parse_output *out)
{
	int ret = -1;
	xmlDoc *doc = NULL;
	/* The arena first: its chunk then lies below the tree in the heap,
	 * and freeing both at the end does not give the heap's top back to
	 * the system between documents (measured: fewer page faults). */
	struct arena *a = arena_new(in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT);
	if (xmlsafe_read(in->data, in->len, 0, out->diags, &doc) < 0)
		goto out;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!xmlsafe_is(root, NULL, "cXML")) {
		diag_add(out->diags, DIAG_ERROR, "XML line 1",
			 "expected a <cXML> root element without namespace; found <%s>%s%s",
			 (const char *)root->name, root->ns ? " in namespace " : "",
			 root->ns ? (const char *)root->ns->href : "");
		goto out;
	}
	const xmlNode *request, *orh;
	const char *other = what_else(root, &request, &orh);
	if (other != NULL && other[0] != '\0') {
		/* Names come from the document: keep only known ones as static text. */
		static const char *const known[] = {
			"cXML Response", "cXML ConfirmationRequest", "cXML PunchOutOrderMessage",
			"cXML ShipNoticeRequest", "cXML InvoiceDetailRequest", "cXML PunchOutSetupRequest",
			"cXML ProfileRequest", "cXML StatusUpdateRequest", "cXML OrderStatusRequest",
		};
		out->not_order = "cXML document other than an OrderRequest";
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(other, known[i] + 5) == 0)
				out->not_order = known[i];
		ret = 0;
		goto out;
	}
	if (other != NULL || orh == NULL) {
		diag_add(out->diags, DIAG_ERROR, "XML line 1",
			 "cXML document holds no Request/OrderRequest/OrderRequestHeader, Response or Message");
		goto out;
	}
	struct order *o = order_new(a);
	if (o == NULL)
		goto out;
	struct xmlsafe_paths paths;
	struct xmlmap_ctx c = { .o = o, .d = out->diags, .paths = xmlsafe_paths_init(&paths, doc, NULL) };
	o->format_version = version(&c, doc, root);
	header(&c, root, request, orh);
	for (const xmlNode *io = xmlmap_get(&c, xmlmap_get(&c, request, "OrderRequest"), "ItemOut"); io; io = xmlsafe_again(io))
		item_out(&c, io);
	xmlsafe_free(&doc);     /* before the consumer runs */
	ret = 0;
	xmlmap_emit(in, out, o);
out:
	xmlsafe_free(&doc);
	arena_free(&a);
	return ret;
}

const struct parser cxml_parser = { "cxml", cxml_sniff, cxml_parse };
