/* readfile.c — see readfile.h.  "-" is standard input. */
#include "readfile.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int read_file(const char *path, size_t max, unsigned char **data_r, size_t *len_r)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 64 * 1024, len = 0;
	struct stat sb;
	/* A regular file: one buffer of its size (plus one byte, to see the
	 * end without another doubling), not a series of reallocations. */
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		cap = (size_t)sb.st_size < max ? (size_t)sb.st_size + 1 : max;
	unsigned char *p = malloc(cap + 1);
	if (p == NULL)
		fatal("out of memory");
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(p);
				if (fd != STDIN_FILENO)
					close(fd);
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
			if (fd != STDIN_FILENO)
				close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	p[len] = '\0';
	*data_r = p;
	*len_r = len;
	return 0;
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
	long page = sysconf(_SC_PAGESIZE);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= (off_t)1 << 20 && page > 0 &&
	    sb.st_size % page != 0) {
		if ((size_t)sb.st_size > max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			close(fd);
			*data_r = p;
			*len_r = (size_t)sb.st_size;
			*mapped_r = true;
			return 0;
		}
	}
	close(fd);
	return read_file(path, max, data_r, len_r);
}

void file_release(unsigned char *data, size_t len, bool mapped)
{
	if (mapped)
		munmap(data, len);
	else
		free(data);
}
