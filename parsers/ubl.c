/* ubl.c — UBL Order family into struct order (order-mapping.md section 5).
 *
 * The document is read whole by xmlsafe_read() (a DOM: orders are small,
 * and UBL's optional elements come in schema order, which a tree walk
 * handles simply), mapped into one order built in its own arena, emitted,
 * and both are freed before returning.  Elements are found by namespace
 * URI + local name through paths such as "cac:Delivery/cbc:ID", where
 * "cac"/"cbc" are this file's names for the UBL namespaces, never the
 * document's prefixes.  Values that do not fit (a bad date, a non-decimal
 * quantity) are left out with a warning naming the XML line; a document
 * that is not a UBL order fails with an error diagnostic. */
#include "ubl.h"
#include "limits.h"
#include "xmlmap.h"
#include "xmlsafe.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>


/* Root element name -> what it is. */
static const struct {
	const char *local;
	const char *document_type;   /* NULL: not an order */
	const char *not_order;
} ubl_roots[] = {
	{ "Order", "new", NULL },
	{ "OrderChange", "change", NULL },
	{ "OrderCancellation", "cancel", NULL },
	{ "OrderResponse", NULL, "UBL OrderResponse" },
	{ "OrderResponseSimple", NULL, "UBL OrderResponseSimple" },
};
#define N_ROOTS (sizeof(ubl_roots) / sizeof(ubl_roots[0]))

/* The namespace a UBL root must have: UBL_NS_PREFIX + local + "-2". */
static bool root_ns_ok(const char *local, const char *ns)
{
	size_t pl = strlen(UBL_NS_PREFIX), ll = strlen(local);
	return ns != NULL && strncmp(ns, UBL_NS_PREFIX, pl) == 0 &&
	       strncmp(ns + pl, local, ll) == 0 && strcmp(ns + pl + ll, "-2") == 0;
}

int ubl_sniff(const unsigned char *data, size_t len)
{
	char local[64], ns[256];
	if (xmlsafe_sniff_root(data, len, local, sizeof(local), ns, sizeof(ns)) < 0)
		return 0;
	for (size_t i = 0; i < N_ROOTS; i++)
		if (strcmp(local, ubl_roots[i].local) == 0 && root_ns_ok(local, ns))
			return 95;
	return 0;
}

/* ---- finding elements ----------------------------------------------------- */

static const struct xmlsafe_ns ubl_ns[] = {
	{ "cac", UBL_NS_CAC, NULL }, { "cbc", UBL_NS_CBC, NULL }, { NULL, NULL, NULL },
};

static const char *date_at(struct xmlmap_ctx *u, const xmlNode *n, const char *path)
{
	const xmlNode *e = xmlmap_get(u, n, path);
	return xmlmap_date(u->o, u->d, e, (const char *)(e ? e->name : (const xmlChar *)""), xmlmap_text(u, e));
}

/* An amount element: its value, checked, and its currency compared with
 * the document currency. */
static const char *amount(struct xmlmap_ctx *u, const xmlNode *n, const char *path)
{
	const xmlNode *e = xmlmap_get(u, n, path);
	if (e == NULL)
		return NULL;
	const char *cur = xmlmap_attr(u, e, "currencyID");
	if (cur != NULL && u->doc_currency != NULL && strcasecmp(cur, u->doc_currency) != 0) {
		char where[48];
		diag_add(u->d, DIAG_WARNING, xmlsafe_where(e, where, sizeof(where)),
			 "<%s> is in %s, the document currency is %s", (const char *)e->name,
			 cur, u->doc_currency);
	}
	return xmlmap_decimal(u->o, u->d, e, (const char *)e->name, xmlmap_text(u, e));
}

#define SET(field, value) do { if ((field) == NULL) (field) = (value); } while (0)

/* ---- parties ----------------------------------------------------------------- */

static void address(struct xmlmap_ctx *u, const xmlNode *a, struct party *p)
{
	struct order *o = u->o;
	if (a == NULL || p->n_address_lines > 0 || p->city != NULL)
		return;
	const char *street = xmlmap_val(u, a, "cbc:StreetName");
	const char *number = xmlmap_val(u, a, "cbc:BuildingNumber");
	if (street != NULL && number != NULL)
		street = xmlmap_cat(o, street, " ", number);
	party_add_address_line(o, p, street ? street : number);
	party_add_address_line(o, p, xmlmap_val(u, a, "cbc:AdditionalStreetName"));
	party_add_address_line(o, p, xmlmap_val(u, a, "cbc:BuildingName"));
	party_add_address_line(o, p, xmlmap_val(u, a, "cbc:Department"));
	for (const xmlNode *l = xmlmap_get(u, a, "cac:AddressLine"); l; l = xmlsafe_again(l))
		party_add_address_line(o, p, xmlmap_val(u, l, "cbc:Line"));
	p->city = xmlmap_val(u, a, "cbc:CityName");
	p->postal_code = xmlmap_val(u, a, "cbc:PostalZone");
	p->region = xmlmap_val(u, a, "cbc:CountrySubentity");
	SET(p->region, xmlmap_val(u, a, "cbc:CountrySubentityCode"));
	const char *c = xmlmap_val(u, a, "cac:Country/cbc:IdentificationCode");
	p->country = xmlmap_upper(o, c);
}

static void contact(struct xmlmap_ctx *u, const xmlNode *c, struct party *p)
{
	if (c == NULL)
		return;
	SET(p->contact_name, xmlmap_val(u, c, "cbc:Name"));
	SET(p->contact_phone, xmlmap_val(u, c, "cbc:Telephone"));
	SET(p->contact_email, xmlmap_val(u, c, "cbc:ElectronicMail"));
}

static void add_id(struct xmlmap_ctx *u, struct party *p, const xmlNode *id, const char *fallback)
{
	const char *v = xmlmap_text(u, id);
	if (v != NULL)
		party_add_id(u->o, p, xmlmap_scheme(u->o, xmlmap_attr(u, id, "schemeID"), fallback), v);
}

/* A cac:Party (or cac:DeliveryParty) into p; fields already set win. */
static void party(struct xmlmap_ctx *u, const xmlNode *pty, struct party *p, bool with_address)
{
	if (pty == NULL)
		return;
	add_id(u, p, xmlmap_get(u, pty, "cbc:EndpointID"), "ENDPOINT");
	for (const xmlNode *pi = xmlmap_get(u, pty, "cac:PartyIdentification"); pi; pi = xmlsafe_again(pi))
		add_id(u, p, xmlmap_get(u, pi, "cbc:ID"), "ID");
	SET(p->name, xmlmap_val(u, pty, "cac:PartyName/cbc:Name"));
	SET(p->name, xmlmap_val(u, pty, "cac:PartyLegalEntity/cbc:RegistrationName"));
	SET(p->name, xmlmap_val(u, pty, "cac:PartyTaxScheme/cbc:RegistrationName"));
	if (with_address)
		address(u, xmlmap_get(u, pty, "cac:PostalAddress"), p);
	for (const xmlNode *ts = xmlmap_get(u, pty, "cac:PartyTaxScheme"); ts; ts = xmlsafe_again(ts)) {
		const xmlNode *cid = xmlmap_get(u, ts, "cbc:CompanyID");
		const char *tid = xmlmap_val(u, ts, "cac:TaxScheme/cbc:ID");
		const char *tt = xmlmap_val(u, ts, "cac:TaxScheme/cbc:TaxTypeCode");
		bool vat = (tid && strcasestr(tid, "VAT")) || (tt && strcasestr(tt, "VAT")) ||
			   (tid == NULL && tt == NULL);
		const char *v = xmlmap_text(u, cid);
		if (v != NULL)
			party_add_id(u->o, p, vat ? "VAT" : xmlmap_scheme(u->o, xmlmap_attr(u, cid, "schemeID"), "TAX"), v);
	}
	for (const xmlNode *le = xmlmap_get(u, pty, "cac:PartyLegalEntity"); le; le = xmlsafe_again(le))
		add_id(u, p, xmlmap_get(u, le, "cbc:CompanyID"), "LEGAL");
	contact(u, xmlmap_get(u, pty, "cac:Contact"), p);
	const xmlNode *person = xmlmap_get(u, pty, "cac:Person");
	if (person != NULL && p->contact_name == NULL) {
		const char *f = xmlmap_val(u, person, "cbc:FirstName"), *l = xmlmap_val(u, person, "cbc:FamilyName");
		p->contact_name = xmlmap_join(u->o, f, " ", l);
	}
}

/* BuyerCustomerParty, SellerSupplierParty, AccountingCustomerParty. */
static struct party *role_party(struct xmlmap_ctx *u, const xmlNode *wrap, enum order_role role,
				const char *own_contact)
{
	if (wrap == NULL)
		return NULL;
	struct party *p = order_party(u->o, role);
	if (p == NULL)
		return NULL;
	party(u, xmlmap_get(u, wrap, "cac:Party"), p, true);
	/* Account ids: who assigned them says the scheme. */
	party_add_id(u->o, p, "BUYER", xmlmap_val(u, wrap, "cbc:CustomerAssignedAccountID"));
	party_add_id(u->o, p, "SELLER", xmlmap_val(u, wrap, "cbc:SupplierAssignedAccountID"));
	contact(u, xmlmap_get(u, wrap, own_contact), p);
	return p;
}

/* ---- dates and delivery ------------------------------------------------------ */

/* A RequestedDeliveryPeriod: the same date twice (or only an end) is one
 * requested date; two different dates are a window. */
static void period(struct xmlmap_ctx *u, const xmlNode *per, const char **req,
		   const char **earliest, const char **latest)
{
	if (per == NULL)
		return;
	const char *s = date_at(u, per, "cbc:StartDate"), *e = date_at(u, per, "cbc:EndDate");
	if (s != NULL && e != NULL && strcmp(s, e) == 0)
		*req = e;
	else if (s != NULL && e != NULL) {
		*earliest = s;
		*latest = e;
	} else if (e != NULL)
		*req = e;
	else if (s != NULL)
		*earliest = s;
}

static const char *port(struct xmlmap_ctx *u, const xmlNode *loc)
{
	const char *v = xmlmap_val(u, loc, "cbc:ID");
	return v ? v : xmlmap_val(u, loc, "cbc:Name");
}

static void delivery(struct xmlmap_ctx *u, const xmlNode *dl)
{
	struct order *o = u->o;
	if (dl == NULL)
		return;
	if (xmlsafe_again(dl) != NULL) {
		char where[48];
		diag_add(u->d, DIAG_WARNING, xmlsafe_where(xmlsafe_again(dl), where, sizeof(where)),
			 "more than one header <Delivery>: only the first is read");
	}
	const xmlNode *loc = xmlmap_get(u, dl, "cac:DeliveryLocation");
	const xmlNode *addr = loc ? xmlmap_get(u, loc, "cac:Address") : NULL;
	if (addr == NULL)
		addr = xmlmap_get(u, dl, "cac:DeliveryAddress");
	const xmlNode *dparty = xmlmap_get(u, dl, "cac:DeliveryParty");
	if (loc != NULL || addr != NULL || dparty != NULL) {
		struct party *p = order_party(o, ROLE_SHIP_TO);
		if (p == NULL)
			return;
		add_id(u, p, xmlmap_get(u, loc, "cbc:ID"), "LOCATION");
		add_id(u, p, xmlmap_get(u, addr, "cbc:ID"), "LOCATION");
		party(u, dparty, p, false);
		SET(p->name, xmlmap_val(u, loc, "cbc:Name"));
		address(u, addr, p);
		address(u, xmlmap_get(u, dparty, "cac:PostalAddress"), p);
	}
	period(u, xmlmap_get(u, dl, "cac:RequestedDeliveryPeriod"), &o->requested_delivery_date,
	       &o->window_earliest, &o->window_latest);
	o->ship_by_date = date_at(u, dl, "cac:Despatch/cbc:RequestedDespatchDate");
	const xmlNode *sh = xmlmap_get(u, dl, "cac:Shipment");
	const xmlNode *stage = xmlmap_get(u, sh, "cac:ShipmentStage");
	o->transport_mode = xmlmap_val(u, stage, "cbc:TransportModeCode");
	o->port_of_loading = port(u, xmlmap_get(u, stage, "cac:LoadingPortLocation"));
	o->port_of_discharge = port(u, xmlmap_get(u, stage, "cac:UnloadingPortLocation"));
	SET(o->port_of_loading, port(u, xmlmap_get(u, sh, "cac:LastExitPortLocation")));
	SET(o->port_of_discharge, port(u, xmlmap_get(u, sh, "cac:FirstArrivalPortLocation")));
}

static void delivery_terms(struct xmlmap_ctx *u, const xmlNode *dt)
{
	if (dt == NULL)
		return;
	const xmlNode *loc = xmlmap_get(u, dt, "cac:DeliveryLocation");
	const char *place = xmlmap_val(u, loc, "cbc:ID");
	SET(place, xmlmap_val(u, loc, "cbc:Name"));
	SET(place, xmlmap_val(u, loc, "cbc:Description"));
	SET(place, xmlmap_val(u, loc, "cac:Address/cbc:CityName"));
	const xmlNode *id = xmlmap_get(u, dt, "cbc:ID");
	xmlmap_incoterms(u->o, u->d, id ? id : dt, xmlmap_val(u, dt, "cbc:ID"), place);
	const char *special = xmlmap_val(u, dt, "cbc:SpecialTerms");
	if (special != NULL)
		order_add_note(u->o, xmlmap_cat(u->o, "Delivery terms: ", special, ""));
}

static void payment_terms(struct xmlmap_ctx *u, const xmlNode *root)
{
	struct order *o = u->o;
	for (const xmlNode *pt = xmlmap_get(u, root, "cac:PaymentTerms"); pt; pt = xmlsafe_again(pt)) {
		o->has_payment_terms = true;
		for (const xmlNode *n = xmlmap_get(u, pt, "cbc:Note"); n; n = xmlsafe_again(n))
			o->payment_terms_text = xmlmap_join(o, o->payment_terms_text, "; ", xmlmap_text(u, n));
		const xmlNode *dm = xmlmap_get(u, pt, "cac:SettlementPeriod/cbc:DurationMeasure");
		const char *days = xmlmap_text(u, dm), *unit = xmlmap_attr(u, dm, "unitCode");
		if (days != NULL && (unit == NULL || strcasecmp(unit, "DAY") == 0)) {
			int v = xmlmap_net_days(xmlmap_cat(o, days, " days", ""));
			if (v >= 0)
				o->payment_net_days = v;
		}
		SET(o->payment_discount_percent,
		    xmlmap_decimal(o, u->d, pt, "SettlementDiscountPercent", xmlmap_val(u, pt, "cbc:SettlementDiscountPercent")));
	}
	if (o->payment_net_days < 0)
		o->payment_net_days = xmlmap_net_days(o->payment_terms_text);
}

/* ---- lines ---------------------------------------------------------------------- */

static void item(struct xmlmap_ctx *u, const xmlNode *it, struct order_line *l)
{
	struct order *o = u->o;
	const char *name = xmlmap_val(u, it, "cbc:Name"), *desc = NULL;
	for (const xmlNode *dn = xmlmap_get(u, it, "cbc:Description"); dn; dn = xmlsafe_again(dn))
		desc = xmlmap_join(o, desc, " ", xmlmap_text(u, dn));
	if (name != NULL && desc != NULL && strcmp(name, desc) != 0)
		l->description = xmlmap_cat(o, name, " - ", desc);
	else
		l->description = name ? name : desc;
	l->buyer_item_id = xmlmap_val(u, it, "cac:BuyersItemIdentification/cbc:ID");
	l->seller_item_id = xmlmap_val(u, it, "cac:SellersItemIdentification/cbc:ID");
	l->manufacturer_part_no = xmlmap_val(u, it, "cac:ManufacturersItemIdentification/cbc:ID");
	for (const xmlNode *si = xmlmap_get(u, it, "cac:StandardItemIdentification"); si; si = xmlsafe_again(si)) {
		const xmlNode *id = xmlmap_get(u, si, "cbc:ID");
		const char *scheme = xmlmap_attr(u, id, "schemeID");
		if (scheme == NULL || strcmp(xmlmap_scheme(o, scheme, ""), "GTIN") == 0) {
			SET(l->gtin, xmlmap_gtin(o, u->d, id, xmlmap_text(u, id)));
		}
	}
	for (const xmlNode *cc = xmlmap_get(u, it, "cac:CommodityClassification"); cc; cc = xmlsafe_again(cc)) {
		const xmlNode *code = xmlmap_get(u, cc, "cbc:ItemClassificationCode");
		const char *list = xmlmap_attr(u, code, "listID");
		if (list != NULL && (strcasecmp(list, "HS") == 0 || strcasecmp(list, "HTS") == 0 ||
				     strcasecmp(list, "CN") == 0))
			SET(l->hs_code, xmlmap_text(u, code));
	}
}

static void order_line(struct xmlmap_ctx *u, const xmlNode *ol, bool is_change)
{
	struct order *o = u->o;
	struct order_line *l = order_add_line(o);
	if (l == NULL)
		return;
	for (const xmlNode *n = xmlmap_get(u, ol, "cbc:Note"); n; n = xmlsafe_again(n))
		line_add_note(o, l, xmlmap_text(u, n));
	const xmlNode *li = xmlmap_get(u, ol, "cac:LineItem");
	if (li == NULL) {
		char where[48];
		diag_add(u->d, DIAG_WARNING, xmlsafe_where(ol, where, sizeof(where)),
			 "<OrderLine> without <LineItem>");
		return;
	}
	for (const xmlNode *n = xmlmap_get(u, li, "cbc:Note"); n; n = xmlsafe_again(n))
		line_add_note(o, l, xmlmap_text(u, n));
	l->line_no = xmlmap_val(u, li, "cbc:ID");
	const xmlNode *q = xmlmap_get(u, li, "cbc:Quantity");
	l->quantity = xmlmap_decimal(o, u->d, q, "Quantity", xmlmap_text(u, q));
	l->uom_original = xmlmap_attr(u, q, "unitCode");
	l->uom_code = xmlmap_uom(o, l->uom_original);
	l->line_amount = amount(u, li, "cbc:LineExtensionAmount");
	const xmlNode *price = xmlmap_get(u, li, "cac:Price");
	l->unit_price = amount(u, price, "cbc:PriceAmount");
	const xmlNode *bq = xmlmap_get(u, price, "cbc:BaseQuantity");
	l->price_basis_quantity = xmlmap_decimal(o, u->d, bq, "BaseQuantity", xmlmap_text(u, bq));
	l->price_basis_uom = xmlmap_uom(o, xmlmap_attr(u, bq, "unitCode"));
	const xmlNode *dl = xmlmap_get(u, li, "cac:Delivery");
	const char *req = NULL, *early = NULL, *late = NULL;
	period(u, xmlmap_get(u, dl, "cac:RequestedDeliveryPeriod"), &req, &early, &late);
	if (req == NULL && late != NULL) {
		req = late;
		line_add_note(o, l, early
			? arena_printf(o->arena, "requested delivery window %s to %s", early, late)
			: xmlmap_cat(o, "deliver by ", late, ""));
	} else if (req == NULL && early != NULL) {
		line_add_note(o, l, xmlmap_cat(o, "deliver not before ", early, ""));
	}
	l->delivery_date = req;
	l->ship_by_date = date_at(u, dl, "cac:Despatch/cbc:RequestedDespatchDate");
	item(u, xmlmap_get(u, li, "cac:Item"), l);
	if (is_change) {
		const char *st = xmlmap_val(u, li, "cbc:LineStatusCode");
		if (st != NULL)
			line_add_note(o, l, xmlmap_cat(o, "line status: ", st, ""));
	}
}

/* ---- the document ---------------------------------------------------------------- */

static void header(struct xmlmap_ctx *u, const xmlNode *root, const char *doc_type)
{
	struct order *o = u->o;
	o->format = "ubl-order";
	o->document_type = doc_type;
	o->format_version = xmlmap_val(u, root, "cbc:UBLVersionID");
	const char *cust = xmlmap_val(u, root, "cbc:CustomizationID");
	if (o->format_version == NULL && cust != NULL && strncmp(cust, "urn:fdc:peppol.eu:poacc:", 24) == 0)
		o->format_version = "2.1";     /* PEPPOL BIS 3 is UBL 2.1 and omits the element */
	const char *id = xmlmap_val(u, root, "cbc:ID");
	const char *ref = xmlmap_val(u, root, "cac:OrderReference/cbc:ID");
	bool is_order = strcmp(doc_type, "new") == 0;
	/* A change or cancellation names the order it changes. */
	o->po_number = is_order ? id : (ref ? ref : id);
	const char *uuid = xmlmap_val(u, root, "cbc:UUID");
	o->source.message = uuid ? uuid : id;
	if (strcmp(doc_type, "change") == 0)
		o->po_revision = xmlmap_val(u, root, "cbc:SequenceNumberID");
	o->order_date = date_at(u, root, "cbc:IssueDate");
	o->order_type = xmlmap_val(u, root, "cbc:OrderTypeCode");
	const char *copy = xmlmap_val(u, root, "cbc:CopyIndicator");
	if (copy != NULL && (strcmp(copy, "true") == 0 || strcmp(copy, "1") == 0)) {
		o->is_duplicate_flag = true;
		order_add_note(o, "CopyIndicator: the sender marked this document as a copy");
	}
	o->currency = xmlmap_val(u, root, "cbc:DocumentCurrencyCode");
	if (o->currency == NULL) {
		/* UBL 2.0 examples leave it out: every amount carries its currency. */
		static const char *const paths[] = {
			"cac:AnticipatedMonetaryTotal/cbc:PayableAmount",
			"cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount",
			"cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount",
			"cac:OrderLine/cac:LineItem/cac:Price/cbc:PriceAmount",
		};
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && o->currency == NULL; i++)
			o->currency = xmlmap_attr(u, xmlmap_get(u, root, paths[i]), "currencyID");
	}
	o->currency = xmlmap_upper(o, o->currency);
	u->doc_currency = o->currency;
	for (const xmlNode *n = xmlmap_get(u, root, "cbc:Note"); n; n = xmlsafe_again(n))
		order_add_note(o, xmlmap_text(u, n));
	for (const xmlNode *n = xmlmap_get(u, root, "cbc:CancellationNote"); n; n = xmlsafe_again(n))
		order_add_note(o, xmlmap_text(u, n));
	o->ref_customer = xmlmap_val(u, root, "cbc:CustomerReference");
	o->ref_contract = xmlmap_val(u, root, "cac:Contract/cbc:ID");
	o->ref_quotation = xmlmap_val(u, root, "cac:QuotationDocumentReference/cbc:ID");
	SET(o->ref_quotation, xmlmap_val(u, root, "cac:QuotationReference/cbc:ID"));

	const xmlNode *buyer = xmlmap_get(u, root, "cac:BuyerCustomerParty");
	role_party(u, buyer, ROLE_BUYER, "cac:BuyerContact");
	role_party(u, xmlmap_get(u, root, "cac:SellerSupplierParty"), ROLE_SELLER, "cac:SellerContact");
	role_party(u, xmlmap_get(u, root, "cac:AccountingCustomerParty"), ROLE_BILL_TO, "cac:AccountingContact");
	const xmlNode *ep = xmlmap_get(u, buyer, "cac:Party/cbc:EndpointID");
	const char *ep_v = xmlmap_text(u, ep), *ep_s = xmlmap_attr(u, ep, "schemeID");
	if (ep_v != NULL)
		o->source.sender = ep_s ? xmlmap_cat(o, ep_s, ":", ep_v) : ep_v;

	delivery(u, xmlmap_get(u, root, "cac:Delivery"));
	if (o->parties[ROLE_SHIP_TO] != NULL)
		contact(u, xmlmap_get(u, buyer, "cac:DeliveryContact"), o->parties[ROLE_SHIP_TO]);
	delivery_terms(u, xmlmap_get(u, root, "cac:DeliveryTerms"));
	payment_terms(u, root);
	const char *tc = xmlmap_val(u, root, "cac:TransactionConditions/cbc:Description");
	if (tc != NULL)
		order_add_note(o, xmlmap_cat(o, "Transaction conditions: ", tc, ""));
	const xmlNode *tot = xmlmap_get(u, root, "cac:AnticipatedMonetaryTotal");
	o->declared_amount = amount(u, tot, "cbc:PayableAmount");
	o->declared_line_count = xmlmap_val(u, root, "cbc:LineCountNumeric");
}

int ubl_parse(const struct parse_input *in, struct parse_output *out)
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
	const char *local = (const char *)root->name;
	const char *ns = root->ns ? (const char *)root->ns->href : NULL;
	size_t k = 0;
	while (k < N_ROOTS && !(strcmp(local, ubl_roots[k].local) == 0 && root_ns_ok(local, ns)))
		k++;
	if (k == N_ROOTS) {
		diag_add(out->diags, DIAG_ERROR, "XML line 1",
			 "expected a UBL Order, OrderChange or OrderCancellation (namespace "
			 UBL_NS_PREFIX "Order-2 ...); found <%s> in namespace \"%s\"", local, ns ? ns : "");
		goto out;
	}
	if (ubl_roots[k].document_type == NULL) {
		out->not_order = ubl_roots[k].not_order;
		ret = 0;
		goto out;
	}
	struct order *o = order_new(a);
	if (o == NULL)
		goto out;
	struct xmlsafe_ns table[3];
	memcpy(table, ubl_ns, sizeof(table));   /* fresh namespace cache per document */
	struct xmlsafe_paths paths;
	struct xmlmap_ctx u = { .o = o, .d = out->diags, .ns = table,
				.paths = xmlsafe_paths_init(&paths, doc, table) };
	header(&u, root, ubl_roots[k].document_type);
	bool is_change = strcmp(ubl_roots[k].document_type, "change") == 0;
	for (const xmlNode *ol = xmlmap_get(&u, root, "cac:OrderLine"); ol; ol = xmlsafe_again(ol))
		order_line(&u, ol, is_change);
	xmlsafe_free(&doc);     /* before the consumer runs */
	ret = 0;
	xmlmap_emit(in, out, o);
out:
	xmlsafe_free(&doc);
	arena_free(&a);
	return ret;
}

const struct parser ubl_parser = { "ubl", ubl_sniff, ubl_parse };
