/* fuzz_ubl.c — libFuzzer target: sniff and parse any bytes as UBL.
 * Run by make check through fuzz/driver.c over tests/data/ubl and
 * fuzz/seeds/xml (fuzz/fuzz_ubl.sh), or with --enable-fuzzing by libFuzzer. */
#include "fuzz_xml.h"
#include "ubl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_xml_one(&ubl_parser, data, size);
	return 0;
}
