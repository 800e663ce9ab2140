/* test_pipeline_confine.c — pipeline_confine(), the limits under which the
 * daemon's pipeline worker and `ordergw exceptions reprocess` parse
 * untrusted input: afterwards core dumps are off and (outside an
 * AddressSanitizer build, which needs terabytes of address space) the
 * address space is capped at OG_PIPELINE_MAX_ADDRESS_SPACE, so that an
 * allocation larger than the cap fails instead of succeeding. */
#include "check.h"
#include "limits.h"
#include "pipeline.h"
#include <stdlib.h>
#include <sys/resource.h>

int main(void)
{
	pipeline_confine();
	struct rlimit r;
	CHECK_INT(getrlimit(RLIMIT_CORE, &r), 0);
	CHECK_INT(r.rlim_cur, 0);
	CHECK_INT(r.rlim_max, 0);
	CHECK_INT(getrlimit(RLIMIT_AS, &r), 0);
#if defined(__SANITIZE_ADDRESS__)
	fprintf(stderr, "AddressSanitizer build: RLIMIT_AS is left alone\n");
#else
	/* At most the cap (lower when the process already had less). */
	CHECK(r.rlim_cur != RLIM_INFINITY);
	CHECK(r.rlim_cur <= OG_PIPELINE_MAX_ADDRESS_SPACE);
	CHECK(r.rlim_max == r.rlim_cur);
	/* The cap is real: more than it cannot be had, however the kernel
	 * overcommits.  volatile keeps the compiler from dropping the call. */
	void *volatile p = malloc((size_t)OG_PIPELINE_MAX_ADDRESS_SPACE + (1u << 30));
	CHECK(p == NULL);
	free(p);
	/* Confining twice (a second reprocess in the same process) is harmless. */
	pipeline_confine();
	struct rlimit again;
	CHECK_INT(getrlimit(RLIMIT_AS, &again), 0);
	CHECK_INT(again.rlim_cur, r.rlim_cur);
#endif
	return check_status();
}
