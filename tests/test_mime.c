/* test_mime.c */
#include "check.h"
#include "mime.h"
int main(void) { return check_status(); }
