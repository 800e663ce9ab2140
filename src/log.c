/* log.c — see log.h.  Before log_init() everything goes to stderr. */
#include "log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const char *log_prog = "ordergw";
static bool log_fg = true;
static int log_verbosity = 0;

void log_init(const char *progname, bool foreground, int verbosity)
{
	log_prog = progname;
	log_fg = foreground;
	log_verbosity = verbosity;
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static void vlog(int pri, const char *errstr, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_fg) {
		if (errstr != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_prog, msg, errstr);
		else
			fprintf(stderr, "%s: %s\n", log_prog, msg);
	} else if (errstr != NULL) {
		syslog(pri, "%s: %s", msg, errstr);
	} else {
		syslog(pri, "%s", msg);
	}
}

void log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARNING, e, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (log_verbosity < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (log_verbosity < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(70);
}
