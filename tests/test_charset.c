/* test_charset.c — charset labels and bytes to exact UTF-8. */
#include "check.h"
#include "charset.h"
int main(void) { return check_status(); }
