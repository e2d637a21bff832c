/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int check_file(int fd, const char *path, struct nwg_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return nwg_err_set(err, EINVAL, "%s: not a regular file", path);
	if (st.st_mode & 077)
		return nwg_err_set(err, EPERM,
				   "%s is accessible by group or others (mode %04o): refusing to "
				   "use it; chmod 600 it",
				   path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* Reads at most len-1 bytes; the file must end within that. */
static ssize_t read_small(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t r = read(fd, buf + n, len - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

int nwgcli_privkey_read(const char *path, char b64[NWG_KEY_B64_LEN + 1], struct nwg_err *err)
{
	char buf[NWG_KEY_B64_LEN + 4];
	struct nwg_key k;
	ssize_t n;
	int fd, ret;

	b64[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	ret = check_file(fd, path, err);
	n = ret ? 0 : read_small(fd, buf, sizeof(buf));
	close(fd);
	if (ret)
		return ret;
	if (n < 0)
		return nwg_err_set(err, EIO, "%s: read error", path);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n != NWG_KEY_B64_LEN || nwg_key_from_b64(&k, buf, (size_t)n) < 0)
		ret = nwg_err_set(err, EINVAL,
				  "%s: not a WireGuard private key (one base64 key "
				  "of 44 characters, as `wg genkey` writes)",
				  path);
	else {
		memcpy(b64, buf, NWG_KEY_B64_LEN);
		b64[NWG_KEY_B64_LEN] = '\0';
	}
	nwg_wipe(buf, sizeof(buf));
	nwg_key_wipe(&k);
	return ret;
}

int nwgcli_privkey_matches(const char *b64, const char *pub_b64)
{
	struct nwg_key priv, pub, want;
	int ret = -EKEYREJECTED;

	if (nwg_key_from_b64(&priv, b64, strlen(b64)) == 0 &&
	    nwg_key_from_b64(&want, pub_b64, strlen(pub_b64)) == 0 &&
	    nwg_key_public(&pub, &priv) == 0 && nwg_key_equal(&pub, &want))
		ret = 0;
	nwg_key_wipe(&priv);
	return ret;
}
