/* log.h — logging: stderr in the foreground, syslog as a daemon.
 *
 * log_warn() adds strerror(errno); log_warnx() does not (OpenSMTPD's
 * convention).  fatal() logs and exits 70: only for a broken invariant or
 * out-of-memory.  Never pass a credential to any of these. */
#ifndef ORDERGW_LOG_H
#define ORDERGW_LOG_H
#include <stdbool.h>

void log_init(const char *progname, bool foreground, int verbosity);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
