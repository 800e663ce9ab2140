/* fuzz_xml.h — the body shared by the UBL and cXML fuzz targets. */
#ifndef ORDERGW_FUZZ_XML_H
#define ORDERGW_FUZZ_XML_H
#include <stddef.h>
#include <stdint.h>
#include "parser.h"

/* Sniff and parse the bytes with p; every emitted order is also written
 * as JSON, so the whole record the parser built is read back. */
void fuzz_xml_one(const struct parser *p, const uint8_t *data, size_t size);

#endif
