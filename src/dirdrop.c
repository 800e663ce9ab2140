/* dirdrop.c — see dirdrop.h. */
#include "dirdrop.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "maildir.h"
#include "store.h"
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dirdrop_poll(const struct cfg_drop *drop, struct store *st, size_t max_bytes,
		 struct intake_stats *stats)
{
	const char *root = drop->url + strlen("dir:");
	char *archive = fs_join(root, drop->archive ? drop->archive : "archive");
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = -1;
	DIR *d = opendir(root);
	if (d == NULL) {
		log_warn("drop %s: cannot read %s", drop->name, root);
		goto out;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *nm = e->d_name;
		if (nm[0] == '.' || !config_glob(drop->pattern ? drop->pattern : "*", nm))
			continue;
		if (drop->ready_suffix && has_suffix(nm, drop->ready_suffix))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				fatal("out of memory");
		}
		names[n] = strdup(nm);
		if (names[n] == NULL)
			fatal("out of memory");
		n++;
	}
	closedir(d);
	if (n > 0)   /* qsort(NULL, 0, ...) is undefined (UBSan stops here on an empty drop) */
		qsort(names, n, sizeof(*names), cmp_str);
	time_t now = time(NULL);
	for (size_t i = 0; i < n; i++) {
		char *path = fs_join(root, names[i]);
		struct stat sb;
		bool take = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
		if (take && drop->ready_suffix) {
			char *ready;
			if (asprintf(&ready, "%s%s", path, drop->ready_suffix) < 0)
				fatal("out of memory");
			take = access(ready, F_OK) == 0;
			free(ready);
		} else if (take && drop->stable_seconds > 0) {
			take = now - sb.st_mtime >= drop->stable_seconds;
		}
		if (!take) {
			free(path);
			continue;
		}
		stats->seen++;
		unsigned char *data;
		size_t len, full;
		bool trunc;
		if (fs_read_limited(path, max_bytes, &data, &len, &trunc, &full) < 0) {
			log_warn("drop %s: %s", drop->name, path);
			stats->errors++;
			free(path);
			continue;
		}
		char *key;
		if (asprintf(&key, "dir:%s:%s:%lld:%lld", drop->name, names[i], (long long)sb.st_size,
			     (long long)sb.st_mtime) < 0)
			fatal("out of memory");
		struct store_doc_meta m = { .source_key = key, .channel = "dir", .endpoint = drop->name,
					    .name = names[i], .truncated = trunc, .full_size = full };
		if (trunc)
			stats->too_large++;
		int64_t id;
		int r = store_begin(st);
		if (r == 0)
			r = store_doc_add(st, &m, data, len, &id);
		if (r >= 0 && store_commit(st) < 0)
			r = -1;
		free(data);
		free(key);
		if (r < 0) {
			log_warnx("drop %s: %s", drop->name, store_error(st));
			store_rollback(st);
			free(path);
			goto out;
		}
		if (r == 0)
			stats->stored++;
		else
			stats->already++;
		/* Committed: move it into the archive (a name taken there gets a suffix). */
		if (fs_mkdirs(archive) == 0) {
			char *dst = fs_join(archive, names[i]);
			for (int k = 1; access(dst, F_OK) == 0 && k < 1000; k++) {
				free(dst);
				char *alt;
				if (asprintf(&alt, "%s.%d", names[i], k) < 0)
					fatal("out of memory");
				dst = fs_join(archive, alt);
				free(alt);
			}
			if (rename(path, dst) == 0) {
				stats->acknowledged++;
				if (drop->ready_suffix) {
					char *ready;
					if (asprintf(&ready, "%s%s", path, drop->ready_suffix) < 0)
						fatal("out of memory");
					unlink(ready);
					free(ready);
				}
			} else {
				log_warn("drop %s: cannot move %s into %s", drop->name, names[i], archive);
			}
			free(dst);
		} else {
			log_warn("drop %s: cannot create %s", drop->name, archive);
		}
		free(path);
	}
	fs_sync_dir(archive);
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(archive);
	return ret;
}
