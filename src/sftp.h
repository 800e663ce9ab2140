/* sftp.h — SFTP client for EDI drops (libcurl with libssh2), independent
 * of any store.
 *
 * Trust: a known_hosts file is required and the server's host key must
 * match an entry for [host]:port (or host for port 22); an unknown or a
 * changed key is refused with CHAN_TRUST.  There is deliberately no option
 * to skip the check.  Authentication is by key only (ed25519: libssh2 1.10
 * signs RSA keys with SHA-1, which OpenSSH 9 refuses).
 *
 * Paths are absolute on the server ("/inbound/a.edi") unless they start
 * with "~/" (relative to the login directory).  File names used with
 * sftp_rename()/sftp_put() must not contain '"', '\\' or control
 * characters (refused with CHAN_CONFIG).
 *
 * Every function returns 0 ok or -1 with struct chan_err: CHAN_TEMP
 * (network, server), CHAN_TRUST (host key), CHAN_AUTH (key refused),
 * CHAN_CONFIG, CHAN_PERM (no such file, rename refused), CHAN_LIMIT. */
#ifndef ORDERGW_SFTP_H
#define ORDERGW_SFTP_H
#include "chan.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sftp_conf {
	const char *host;         /* DNS name or address */
	unsigned port;            /* 22 by default */
	const char *user;         /* login name */
	const char *key_file;     /* private key (ed25519, no passphrase) */
	const char *pub_key_file; /* NULL: key_file + ".pub" when it exists, else
	                             derived from the private key by libssh2 */
	const char *known_hosts;  /* required: OpenSSH known_hosts format */
	int timeout_s;            /* connect and stall timeout; 0: 60 s */
};

struct sftp_entry {
	char *name;               /* file name without directory */
	uint64_t size;
	time_t mtime;             /* from the long listing: minute precision (or
	                             day for old files), server time zone read as UTC */
	bool is_dir;
	bool is_reg;              /* regular file ("-" in the mode) */
};

struct sftp_list {
	struct sftp_entry *v;
	size_t n;
};

struct sftp;

/* Fill host, port from an sftp:// URL and copy its path to dir[dir_size].
 * The strings in conf point into *u, which the caller keeps. */
int sftp_conf_from_url(struct sftp_conf *conf, struct chan_url *u, const char *url,
	char *dir, size_t dir_size, struct chan_err *err);

/* Check the configuration (known_hosts and key readable) and make a
 * session; the SSH connection is made by the first operation and reused. */
int sftp_open(const struct sftp_conf *conf, struct sftp **sftp_r, struct chan_err *err);
void sftp_close(struct sftp **sftp);

/* List dir (regular files, directories; "." and ".." left out), sorted by
 * name.  Free with sftp_list_free(). */
int sftp_list(struct sftp *sftp, const char *dir, struct sftp_list *list, struct chan_err *err);
void sftp_list_free(struct sftp_list *list);

/* Parse one line of libcurl's SFTP long listing (OpenSSH "ls -l" style:
 * "-rw-r--r--    1 u  g   1234 Nov 27 13:30 name").  now chooses the year
 * of "Mon DD HH:MM" dates.  0 ok (e->name is malloc'ed), -1 not a file line. */
int sftp_parse_long(const char *line, size_t len, time_t now, struct sftp_entry *e);

/* Download path into memory (NUL-terminated; caller frees); a file larger
 * than max is CHAN_LIMIT and nothing is returned. */
int sftp_get(struct sftp *sftp, const char *path, size_t max, char **data_r, size_t *len_r,
	struct chan_err *err);

/* Rename (SFTP RENAME): fails with CHAN_PERM when to exists. */
int sftp_rename(struct sftp *sftp, const char *from, const char *to, struct chan_err *err);

/* Upload data as dir/.name.part, then rename it to dir/name, so that a
 * reader never sees a partial file.  An existing dir/name is not replaced
 * (CHAN_PERM) and the temporary file is removed. */
int sftp_put(struct sftp *sftp, const char *dir, const char *name, const char *data,
	size_t len, struct chan_err *err);

/* "Stable" selection: which listed files may be taken.
 *
 * A regular file is eligible when a companion marker exists (NAME + one of
 * the marker suffixes, e.g. "a.edi.done" for "a.edi"), or — unless
 * markers_required — when its size and mtime were the same in two
 * listings at least stable_seconds apart.  Names starting with "." (our
 * and others' temporary files) and the marker files themselves are never
 * eligible.  The tracker remembers files between calls; files that
 * disappeared are forgotten. */
struct sftp_stable;

/* markers: NULL-terminated suffixes ({".done", ".ok", NULL}) or NULL. */
struct sftp_stable *sftp_stable_new(unsigned stable_seconds, const char *const *markers,
	bool markers_required);
void sftp_stable_free(struct sftp_stable **st);
/* Sets eligible[i] for list->v[i]; returns how many are eligible.  The
 * marker of an eligible file is named in marker_r[i] (NULL when none) so
 * the caller can archive it too; marker_r may be NULL. */
size_t sftp_stable_pick(struct sftp_stable *st, const struct sftp_list *list, time_t now,
	bool *eligible, const char **marker_r);

#endif
