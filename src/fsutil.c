/* fsutil.c — see fsutil.h. */
#include "fsutil.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	char *p;
	if (asprintf(&p, "%.*s/%s", (int)la, a, b) < 0)
		fatal("out of memory");
	return p;
}

int fs_mkdirs(const char *path)
{
	char *p = strdup(path);
	if (p == NULL)
		fatal("out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

int fs_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int fs_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fdatasync(fd) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char *tmp, *final = fs_join(dir, name);
	if (asprintf(&tmp, "%s/.tmp.%ld.%s", dir, (long)getpid(), name) < 0)
		fatal("out of memory");
	int ret = -1;
	if (fs_write_file(tmp, data, len) < 0 || rename(tmp, final) < 0) {
		unlink(tmp);
		goto out;
	}
	ret = fs_sync_dir(dir);
out:
	free(tmp);
	free(final);
	return ret;
}

int fs_read_limited(const char *path, size_t max, unsigned char **data_r, size_t *len_r,
		    bool *truncated, size_t *full_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	size_t size = (size_t)sb.st_size;
	*full_size = size;
	*truncated = size > max;
	size_t want = *truncated ? max : size;
	unsigned char *p = malloc(want + 1);
	if (p == NULL)
		fatal("out of memory");
	size_t got = 0;
	while (got < want) {
		ssize_t n = read(fd, p + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	p[got] = '\0';
	*data_r = p;
	*len_r = got;
	return 0;
}
