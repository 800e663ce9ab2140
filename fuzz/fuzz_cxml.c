/* fuzz_cxml.c — libFuzzer target: sniff and parse any bytes as CXML.
 * Run by make check through fuzz/driver.c over tests/data/cxml and
 * fuzz/seeds/xml (fuzz/fuzz_cxml.sh), or with --enable-fuzzing by libFuzzer. */
#include "fuzz_xml.h"
#include "cxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_xml_one(&cxml_parser, data, size);
	return 0;
}
