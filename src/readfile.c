/* readfile.c — see readfile.h.  "-" is standard input. */
#include "readfile.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int read_file(const char *path, size_t max, unsigned char **data_r, size_t *len_r)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 64 * 1024, len = 0;
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
