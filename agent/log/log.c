/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum nwg_log_level max_level = NWG_LOG_INFO;
static int log_fd = -1;

static const char *level_name(enum nwg_log_level level)
{
	switch (level) {
	case NWG_LOG_ERR:
		return "ERROR";
	case NWG_LOG_WARN:
		return "WARNING";
	case NWG_LOG_INFO:
		return "INFO";
	default:
		return "DEBUG";
	}
}

/* The log file is opened as root in a directory another user may own: never
 * follow a symlink, never append to a device, a FIFO, another user's file or a
 * hard link to some other file. */
static int open_file(const char *file, struct nwg_err *err)
{
	struct stat st;
	int fd = open(
	    file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
	    0640);

	if (fd < 0)
		return nwg_err_set(err, errno, "log_file %s: %s", file,
				   errno == ELOOP ? "is a symbolic link: refused"
						  : strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return nwg_err_set(err, e, "log_file %s: %s", file, strerror(e));
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		close(fd);
		return nwg_err_set(err, EPERM,
				   "log_file %s: refused: must be a regular file owned by uid %u "
				   "with one link (is %s, uid %u, %lu links)",
				   file, (unsigned int)geteuid(),
				   S_ISREG(st.st_mode) ? "a regular file" : "not a regular file",
				   (unsigned int)st.st_uid, (unsigned long)st.st_nlink);
	}
	return fd;
}

int nwg_log_open(enum nwg_log_level level, const char *file, struct nwg_err *err)
{
	int fd = -1;

	if (file && *file) {
		fd = open_file(file, err);
		if (fd < 0)
			return fd;
	}
	nwg_log_close();
	log_fd = fd;
	max_level = level;
	return 0;
}

void nwg_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

bool nwg_log_enabled(enum nwg_log_level level)
{
	return level <= max_level;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Async-signal-safe (a signal handler's last words): line as it is, to
 * stderr and the log file. */
void nwg_log_raw(const char *line, size_t len)
{
	write_all(STDERR_FILENO, line, len);
	if (log_fd >= 0)
		write_all(log_fd, line, len);
}

/* Text that came from outside (a remote error, a name) must not forge lines or
 * reach a terminal: control characters, DEL and non-ASCII bytes become \xNN. */
size_t nwg_log_escape(char *out, size_t len, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!len)
		return 0;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 >= len)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 >= len)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

void nwg_log(enum nwg_log_level level, const char *fmt, ...)
{
	char line[2048], msg[2048];
	struct timeval tv;
	struct tm tm;
	size_t len;
	va_list ap;
	int n;

	if (!nwg_log_enabled(level))
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line + len, sizeof(line) - len,
		     ".%03ld %d %s neutron-wireguard-agent: ", (long)(tv.tv_usec / 1000),
		     (int)getpid(), level_name(level));
	if (n > 0)
		len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	len += nwg_log_escape(line + len, sizeof(line) - len - 1, msg);
	line[len++] = '\n';
	write_all(STDERR_FILENO, line, len);
	if (log_fd >= 0)
		write_all(log_fd, line, len);
}
