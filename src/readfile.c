/* readfile.c — see readfile.h.  "-" is standard input. */
#include "readfile.h"
#include "limits.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read fd to its end (sb: what fstat said of it, or NULL); 0 or -1 with
 * errno set.  The caller closes fd. */
static int read_fd(int fd, const struct stat *sb, size_t max, unsigned char **data_r, size_t *len_r)
{
	size_t cap = 64 * 1024, len = 0;
	/* A regular file: one buffer of its size (plus one byte, to see the
	 * end without another doubling), not a series of reallocations. */
	if (sb != NULL && S_ISREG(sb->st_mode) && sb->st_size > 0)
		cap = (size_t)sb->st_size < max ? (size_t)sb->st_size + 1 : max;
	unsigned char *p = malloc(cap + 1);
	if (p == NULL)
		fatal("out of memory");
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(p);
				errno = EFBIG;
				return -1;
			}
			cap = cap * 2 > max ? max : cap * 2;
			unsigned char *q = realloc(p, cap + 1);
			if (q == NULL)
				fatal("out of memory");
			p = q;
		}
		ssize_t n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	p[len] = '\0';
	*data_r = p;
	*len_r = len;
	return 0;
}

/* Close fd (not standard input) keeping errno. */
static int close_keep(int fd, int r)
{
	int e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = e;
	return r;
}

int read_file(const char *path, size_t max, unsigned char **data_r, size_t *len_r)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat sb;
	bool known = fstat(fd, &sb) == 0;
	return close_keep(fd, read_fd(fd, known ? &sb : NULL, max, data_r, len_r));
}

int file_map(const char *path, size_t max, unsigned char **data_r, size_t *len_r, bool *mapped_r)
{
	*mapped_r = false;
	if (strcmp(path, "-") == 0)
		return read_file(path, max, data_r, len_r);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return close_keep(fd, read_fd(fd, NULL, max, data_r, len_r));
	long page = sysconf(_SC_PAGESIZE);
	if (S_ISREG(sb.st_mode) && sb.st_size >= (off_t)OG_MAP_MIN_BYTES && page > 0 && sb.st_size % page != 0) {
		if ((size_t)sb.st_size > max) {
			errno = EFBIG;
			return close_keep(fd, -1);
		}
		void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			*data_r = p;
			*len_r = (size_t)sb.st_size;
			*mapped_r = true;
			return close_keep(fd, 0);
		}
	}
	return close_keep(fd, read_fd(fd, &sb, max, data_r, len_r));
}

void file_release(unsigned char *data, size_t len, bool mapped)
{
	if (mapped)
		munmap(data, len);
	else
		free(data);
}
