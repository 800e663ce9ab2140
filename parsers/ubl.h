/* ubl.h — UBL Order / OrderChange / OrderCancellation (2.0, 2.1, PEPPOL BIS
 * Order 3) into struct order, per order-mapping.md section 5.
 *
 * One document holds one order; OrderResponse and OrderResponseSimple are
 * recognised and reported as non-orders.  The parser is ubl_parser
 * (parser.h); the XML is read by xmlsafe.h. */
#ifndef ORDERGW_UBL_H
#define ORDERGW_UBL_H
#include "parser.h"

#define UBL_NS_PREFIX "urn:oasis:names:specification:ubl:schema:xsd:"
#define UBL_NS_CAC UBL_NS_PREFIX "CommonAggregateComponents-2"
#define UBL_NS_CBC UBL_NS_PREFIX "CommonBasicComponents-2"

extern const struct parser ubl_parser;

int ubl_sniff(const unsigned char *data, size_t len);
int ubl_parse(const struct parse_input *in, struct parse_output *out);

#endif
