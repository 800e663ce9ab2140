/* ubl_response.c — write a UBL OrderResponseSimple or PEPPOL OrderResponse.
 *
 * Element order follows the UBL 2.1 schemas (validators reject anything
 * else): UBLVersionID/CustomizationID/ProfileID, ID, IssueDate, then the
 * answer (AcceptedIndicator + RejectionNote, or OrderResponseCode + Note),
 * DocumentCurrencyCode, OrderReference, SellerSupplierParty,
 * BuyerCustomerParty.  Every value is escaped; nothing is allocated except
 * in the caller's buffer, whose maximum makes a failure visible (-1). */
#include "ubl_response.h"
#include "ubl.h"
#include <string.h>

static void esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		default: buf_addc(b, *s); break;
		}
	}
}

static void el(struct buf *b, const char *indent, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "%s<%s>", indent, name);
	esc(b, value);
	buf_printf(b, "</%s>\n", name);
}

/* The EndpointID scheme (EAS code) of a normalised party id, or NULL. */
static const char *eas(const char *scheme)
{
	if (strcmp(scheme, "GLN") == 0)
		return "0088";
	if (strcmp(scheme, "DUNS") == 0)
		return "0060";
	if (strncmp(scheme, "PEPPOL_EAS:", 11) == 0)
		return scheme + 11;
	return NULL;
}

static void party(struct buf *b, const char *role, const struct party *p)
{
	buf_printf(b, "  <cac:%s>\n    <cac:Party>\n", role);
	for (size_t i = 0; p != NULL && i < p->n_ids; i++) {
		const char *s = eas(p->ids[i].scheme);
		if (s == NULL)
			continue;
		buf_adds(b, "      <cbc:EndpointID schemeID=\"");
		esc(b, s);
		buf_adds(b, "\">");
		esc(b, p->ids[i].value);
		buf_adds(b, "</cbc:EndpointID>\n");
		break;
	}
	if (p != NULL && p->name != NULL) {
		buf_adds(b, "      <cac:PartyName>\n");
		el(b, "        ", "cbc:Name", p->name);
		buf_adds(b, "      </cac:PartyName>\n");
	}
	buf_printf(b, "    </cac:Party>\n  </cac:%s>\n", role);
}

int ubl_response_write(const struct order *o, const struct ubl_response *r,
		       struct buf *out, const char **error_r)
{
	if (r->id == NULL || r->issue_date == NULL || o->po_number == NULL) {
		*error_r = r->id == NULL ? "the response needs an id" : r->issue_date == NULL
			? "the response needs an issue date" : "the order has no number to refer to";
		return -1;
	}
	size_t start = out->len;
	const char *root = r->peppol ? "OrderResponse" : "OrderResponseSimple";
	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"" UBL_NS_PREFIX "%s-2\"\n"
		   "    xmlns:cac=\"" UBL_NS_CAC "\"\n    xmlns:cbc=\"" UBL_NS_CBC "\">\n", root, root);
	if (r->peppol) {
		el(out, "  ", "cbc:CustomizationID", "urn:fdc:peppol.eu:poacc:trns:order_response:3");
		el(out, "  ", "cbc:ProfileID", "urn:fdc:peppol.eu:poacc:bis:ordering:3");
	} else {
		el(out, "  ", "cbc:UBLVersionID", "2.1");
	}
	el(out, "  ", "cbc:ID", r->id);
	el(out, "  ", "cbc:IssueDate", r->issue_date);
	if (r->peppol) {
		el(out, "  ", "cbc:OrderResponseCode", r->accepted ? "AP" : "RE");
		el(out, "  ", "cbc:Note", r->reason);
		el(out, "  ", "cbc:DocumentCurrencyCode", o->currency);
	} else {
		el(out, "  ", "cbc:AcceptedIndicator", r->accepted ? "true" : "false");
		el(out, "  ", "cbc:RejectionNote", r->reason);
	}
	buf_adds(out, "  <cac:OrderReference>\n");
	el(out, "    ", "cbc:ID", o->po_number);
	buf_adds(out, "  </cac:OrderReference>\n");
	party(out, "SellerSupplierParty", o->parties[ROLE_SELLER]);
	party(out, "BuyerCustomerParty", o->parties[ROLE_BUYER]);
	buf_printf(out, "</%s>\n", root);
	/* A failed append leaves the document without its closing tag. */
	size_t tail = strlen(root) + 4;
	if (out->len < start + tail || strncmp(out->data + out->len - tail + 2, root, strlen(root)) != 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		*error_r = "the response does not fit in the buffer";
		return -1;
	}
	return 0;
}
