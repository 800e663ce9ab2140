/* maildir.c — see maildir.h. */
#include "maildir.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "store.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_KEEP (256u * 1024)   /* of an over-size message, keep this much at most */

int maildir_make(const char *path)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	for (int i = 0; i < 3; i++) {
		char *p = fs_join(path, sub[i]);
		int r = fs_mkdirs(p);
		free(p);
		if (r < 0)
			return -1;
	}
	return 0;
}


/* The unique part of a Maildir file name: everything before ":2,". */
static char *unique_part(const char *name)
{
	const char *colon = strchr(name, ':');
	char *u = colon ? strndup(name, (size_t)(colon - name)) : strdup(name);
	if (u == NULL)
		fatal("out of memory");
	return u;
}

struct pending { char *path, *name; };

static int cmp_pending(const void *a, const void *b)
{
	return strcmp(((const struct pending *)a)->name, ((const struct pending *)b)->name);
}

static int list_dir(const char *dir, struct pending **items, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	struct dirent *e;
	size_t start = *n;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*items = realloc(*items, *cap * sizeof(**items));
			if (*items == NULL)
				fatal("out of memory");
		}
		(*items)[*n].path = fs_join(dir, e->d_name);
		(*items)[*n].name = strdup(e->d_name);
		if ((*items)[*n].name == NULL)
			fatal("out of memory");
		(*n)++;
	}
	closedir(d);
	/* Oldest first: Maildir names start with the delivery time. */
	if (*n > start)   /* qsort(NULL, 0, ...) is undefined (UBSan stops here on an empty inbox) */
		qsort(*items + start, *n - start, sizeof(**items), cmp_pending);
	return 0;
}

int maildir_poll(const struct cfg_mailbox *mb, struct store *st, size_t max_bytes,
		 struct intake_stats *stats)
{
	const char *root = mb->url + strlen("maildir:");
	struct pending *items = NULL;
	size_t n = 0, cap = 0;
	int ret = -1;
	char *newdir = fs_join(root, "new"), *curdir = fs_join(root, "cur");
	char *donefolder = NULL, *donecur = NULL;
	if (asprintf(&donefolder, "%s/.%s", root, mb->done_folder) < 0)
		fatal("out of memory");
	donecur = fs_join(donefolder, "cur");
	if (list_dir(newdir, &items, &n, &cap) < 0 || list_dir(curdir, &items, &n, &cap) < 0) {
		log_warn("mailbox %s: cannot read %s", mb->name, root);
		goto out;
	}
	if (n > 0 && maildir_make(donefolder) < 0) {
		log_warn("mailbox %s: cannot create %s", mb->name, donefolder);
		goto out;
	}
	size_t batch = mb->batch > 0 ? (size_t)mb->batch : 500;
	for (size_t i = 0; i < n; i += batch) {
		size_t end = i + batch < n ? i + batch : n;
		bool *stored = calloc(end - i, sizeof(bool));
		if (stored == NULL)
			fatal("out of memory");
		if (store_begin(st) < 0) {
			log_warnx("mailbox %s: %s", mb->name, store_error(st));
			free(stored);
			goto out;
		}
		for (size_t k = i; k < end; k++) {
			unsigned char *data;
			size_t len, full;
			bool trunc;
			stats->seen++;
			if (fs_read_limited(items[k].path, max_bytes, &data, &len, &trunc, &full) < 0) {
				if (errno != ENOENT)
					log_warn("mailbox %s: %s", mb->name, items[k].path);
				stats->errors++;
				continue;
			}
			if (trunc) {
				/* Keep the headers only: sales sees who sent what. */
				size_t keep = len < HEADER_KEEP ? len : HEADER_KEEP;
				for (size_t j = 0; j + 1 < keep; j++)
					if (data[j] == '\n' && (data[j + 1] == '\n' ||
					    (data[j + 1] == '\r' && j + 2 < keep && data[j + 2] == '\n'))) {
						keep = j + 1;
						break;
					}
				len = keep;
				stats->too_large++;
			}
			char *u = unique_part(items[k].name), *key;
			if (asprintf(&key, "maildir:%s:%s", mb->name, u) < 0)
				fatal("out of memory");
			struct store_doc_meta m = { .source_key = key, .channel = "maildir", .endpoint = mb->name,
						    .name = u, .truncated = trunc, .full_size = full };
			int64_t id;
			int r = store_doc_add(st, &m, data, len, &id);
			free(data);
			free(key);
			free(u);
			if (r < 0) {
				log_warnx("mailbox %s: %s", mb->name, store_error(st));
				store_rollback(st);
				free(stored);
				goto out;
			}
			if (r == 0)
				stats->stored++;
			else
				stats->already++;
			stored[k - i] = true;
		}
		if (store_commit(st) < 0) {
			log_warnx("mailbox %s: %s", mb->name, store_error(st));
			store_rollback(st);
			free(stored);
			goto out;
		}
		/* Committed: now, and only now, acknowledge at the source. */
		for (size_t k = i; k < end; k++) {
			if (!stored[k - i])
				continue;
			char *dst = fs_join(donecur, items[k].name);
			if (rename(items[k].path, dst) == 0)
				stats->acknowledged++;
			else if (errno != ENOENT)
				log_warn("mailbox %s: cannot move %s to %s", mb->name, items[k].name, donefolder);
			free(dst);
		}
		fs_sync_dir(donecur);
		free(stored);
	}
	ret = 0;
out:
	for (size_t k = 0; k < n; k++) {
		free(items[k].path);
		free(items[k].name);
	}
	free(items);
	free(newdir);
	free(curdir);
	free(donefolder);
	free(donecur);
	return ret;
}

int maildir_deliver(const char *path, const char *name_key, const void *data, size_t len)
{
	if (maildir_make(path) < 0)
		return -1;
	char host[128] = "localhost";
	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	char *name, *tmpdir = fs_join(path, "tmp"), *newdir = fs_join(path, "new");
	if (asprintf(&name, "ordergw.%s.%s", name_key, host) < 0)
		fatal("out of memory");
	int ret = -1;
	char *tmpfile = fs_join(tmpdir, name), *newfile = fs_join(newdir, name);
	/* Written and fsynced in tmp/, then renamed into new/: readers never see
	 * half a file.  The caller syncs new/ once for a whole batch. */
	if (fs_write_file(tmpfile, data, len) == 0 && rename(tmpfile, newfile) == 0)
		ret = 0;
	else
		unlink(tmpfile);
	free(tmpfile);
	free(newfile);
	free(name);
	free(tmpdir);
	free(newdir);
	return ret;
}
