/* SPDX-License-Identifier: Apache-2.0 */
/* The node's enrollment key file: created once, 0600, refused when loose. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/seal.h"

#define FILE_LEN (NWG_KEY_B64_LEN + 1) /* base64 + '\n' */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int create(const char *path, struct nwg_key *priv)
{
	char buf[FILE_LEN + 1];
	int fd, rc;

	rc = nwg_key_generate(priv);
	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	nwg_key_to_b64(buf, priv);
	buf[NWG_KEY_B64_LEN] = '\n';
	rc = write_all(fd, buf, FILE_LEN);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	nwg_wipe(buf, sizeof(buf));
	close(fd);
	if (rc < 0)
		unlink(path);
	return rc;
}

static int check_file(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid() ||
	    (st.st_mode & 077))
		return -EPERM;
	return st.st_size == FILE_LEN ? 0 : -EINVAL;
}

static int load(const char *path, struct nwg_key *priv)
{
	char buf[FILE_LEN + 1];
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	rc = check_file(fd);
	if (rc == 0) {
		n = read(fd, buf, sizeof(buf));
		if (n != FILE_LEN || buf[NWG_KEY_B64_LEN] != '\n')
			rc = n < 0 ? -errno : -EINVAL;
		else
			rc = nwg_key_from_b64(priv, buf, NWG_KEY_B64_LEN);
	}
	nwg_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

int nwg_enroll_load_or_create(const char *path, struct nwg_key *priv, struct nwg_key *pub)
{
	int rc = load(path, priv);

	if (rc == -ENOENT) {
		rc = create(path, priv);
		if (rc == -EEXIST) /* another process won the race: use its key */
			rc = load(path, priv);
	}
	if (rc == 0 && nwg_key_is_zero(priv))
		rc = -EINVAL;
	if (rc == 0)
		rc = nwg_key_public(pub, priv);
	if (rc < 0)
		nwg_key_wipe(priv);
	return rc;
}

int nwg_enroll_unseal(const char *enroll_path, const char *sealed, size_t len, const char *port_id,
		      struct nwg_key *hub_priv)
{
	struct nwg_key priv, pub;
	int rc;

	if (!enroll_path || !sealed || !port_id || !hub_priv)
		return -EINVAL;
	rc = load(enroll_path, &priv);
	if (rc == 0 && nwg_key_is_zero(&priv))
		rc = -EINVAL;
	if (rc == 0)
		rc = nwg_key_public(&pub, &priv);
	if (rc == 0)
		rc = nwg_unseal_hub_key(hub_priv, sealed, len, port_id, &pub, &priv);
	nwg_key_wipe(&priv);
	return rc;
}
