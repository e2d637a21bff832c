/* SPDX-License-Identifier: Apache-2.0 */
/* Agent logging: one line per event, syslog-like levels, stderr (+ file). */
#ifndef NWG_AGENT_LOG_H
#define NWG_AGENT_LOG_H

#include <stdbool.h>

#include "nwg/err.h"

enum nwg_log_level {
	NWG_LOG_ERR = 3,
	NWG_LOG_WARN = 4,
	NWG_LOG_INFO = 6,
	NWG_LOG_DEBUG = 7,
};

/* Lines at or below max_level are written to stderr and, when file is
 * non-NULL, appended to it (created 0640). The file is opened without
 * following a symlink and refused (-EPERM, reason in err) unless it is a
 * regular file owned by the effective uid with one link. Callable again
 * (re-open). Every line is escaped (nwg_log_escape): one event, one line. */
int nwg_log_open(enum nwg_log_level max_level, const char *file, struct nwg_err *err);
void nwg_log_close(void);
/* Only the agent logs, and never key material. */
void nwg_log(enum nwg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Async-signal-safe: an already formatted line (ending in '\n', no
 * outside text) written as it is to stderr and the log file, no time stamp. */
void nwg_log_raw(const char *line, size_t len);
bool nwg_log_enabled(enum nwg_log_level level);
/* Copies in to out (len bytes, NUL included), control characters, DEL and
 * bytes >= 0x80 as "\xNN"; truncates on a character boundary. Returns the
 * length written. */
size_t nwg_log_escape(char *out, size_t len, const char *in);

#define log_err(...)   nwg_log(NWG_LOG_ERR, __VA_ARGS__)
#define log_warn(...)  nwg_log(NWG_LOG_WARN, __VA_ARGS__)
#define log_info(...)  nwg_log(NWG_LOG_INFO, __VA_ARGS__)
#define log_debug(...) nwg_log(NWG_LOG_DEBUG, __VA_ARGS__)

#endif
