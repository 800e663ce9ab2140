/* cxml.h — cXML OrderRequest (1.2.x) into struct order, per
 * order-mapping.md section 6.
 *
 * One cXML document holds at most one order.  Response, ConfirmationRequest,
 * PunchOutOrderMessage and every other cXML request or message are
 * recognised and reported as non-orders.  The parser is cxml_parser
 * (parser.h); the XML is read by xmlsafe.h, offline: the DOCTYPE's SYSTEM
 * URL is only read as text (for the version), never fetched. */
#ifndef ORDERGW_CXML_H
#define ORDERGW_CXML_H
#include "parser.h"

extern const struct parser cxml_parser;

int cxml_sniff(const unsigned char *data, size_t len);
int cxml_parse(const struct parse_input *in, struct parse_output *out);

#endif
