/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

int nwg_log_open(enum nwg_log_level level, const char *file, struct nwg_err *err)
{
	int fd = -1;

	if (file && *file) {
		fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0)
			return nwg_err_set(err, errno, "log_file %s: %s", file, strerror(errno));
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

void nwg_log(enum nwg_log_level level, const char *fmt, ...)
{
	char line[2048];
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
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n > 0)
		len = len + (size_t)n >= sizeof(line) - 1 ? sizeof(line) - 2 : len + (size_t)n;
	line[len++] = '\n';
	write_all(STDERR_FILENO, line, len);
	if (log_fd >= 0)
		write_all(log_fd, line, len);
}
