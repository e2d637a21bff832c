/* SPDX-License-Identifier: Apache-2.0 */
/* The pinned recipient of an HA hub key (seal_pin.h). */
#include "privsep/seal_pin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "log/log.h"
#include "nwg/repo.h"

/* The pin file's key: -ENOENT when there is none yet. */
static int pin_read(const char *path, struct nwg_key *k, struct nwg_err *err)
{
	char buf[NWG_KEY_B64_LEN + 2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_nlink != 1) {
		close(fd);
		return nwg_err_set(err, EPERM,
				   "%s: refused (not a regular file of uid %u with mode 0600)",
				   path, (unsigned)geteuid());
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == NWG_KEY_B64_LEN + 1 && buf[NWG_KEY_B64_LEN] == '\n')
		n--;
	if (n != NWG_KEY_B64_LEN || nwg_key_from_b64(k, buf, (size_t)n) < 0)
		return nwg_err_set(err, EINVAL, "%s: not an enrollment public key", path);
	return 0;
}

static int pin_write(const char *path, const struct nwg_key *k, struct nwg_err *err)
{
	char b64[NWG_KEY_B64_LEN + 1], line[NWG_KEY_B64_LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	nwg_key_to_b64(b64, k);
	snprintf(line, sizeof(line), "%s\n", b64);
	n = write(fd, line, strlen(line));
	if (n != (ssize_t)strlen(line) || fsync(fd) < 0) {
		close(fd);
		unlink(path);
		return nwg_err_set(err, EIO, "%s: cannot write the pin", path);
	}
	return close(fd) < 0 ? nwg_err_set(err, errno, "%s: %s", path, strerror(errno)) : 0;
}

int nwg_seal_pin_check(const struct nwg_conf *c, const struct nwg_key *peer_pub, bool *pinned_now,
		       struct nwg_err *err)
{
	char path[4096], got[NWG_KEY_B64_LEN + 1], want[NWG_KEY_B64_LEN + 1];
	struct nwg_key pin;
	int rc = 0;

	*pinned_now = false;
	if (c->ha_pin_set) {
		pin = c->ha_pin;
	} else {
		if (!c->state_path || snprintf(path, sizeof(path), "%s/%s", c->state_path,
					       NWG_SEAL_PIN_FILE) >= (int)sizeof(path))
			return nwg_err_set(err, EINVAL, "no state_path for the HA peer pin");
		rc = pin_read(path, &pin, err);
		if (rc == -ENOENT) {
			rc = pin_write(path, peer_pub, err);
			*pinned_now = rc == 0;
			return rc;
		}
		if (rc < 0)
			return rc;
	}
	if (nwg_key_equal(&pin, peer_pub))
		return 0;
	nwg_key_to_b64(got, peer_pub);
	nwg_key_to_b64(want, &pin);
	return nwg_err_set(
	    err, EPERM, "HA peer key %s is not the pinned %s (%s); nothing sealed", got, want,
	    c->ha_pin_set ? "[wireguard_ha] peer_enrollment_key" : NWG_SEAL_PIN_FILE);
}

int nwg_seal_pinned(const struct nwg_conf *c, struct nwg_repo *repo, const char *port_id,
		    const struct nwg_key *peer_pub, char out[NWG_SEALED_B64_LEN + 1],
		    struct nwg_err *err)
{
	struct nwg_hub_record *rec = NULL;
	char b64[NWG_KEY_B64_LEN + 1];
	bool pinned_now = false;
	int rc;

	out[0] = '\0';
	rc = nwg_seal_pin_check(c, peer_pub, &pinned_now, err);
	if (rc < 0) {
		log_err("hub %s: SEAL refused: %s", port_id, err->msg);
		return rc;
	}
	if (pinned_now) {
		nwg_key_to_b64(b64, peer_pub);
		log_warn("HA peer enrollment key %s pinned on first use in %s/%s (re-pin: set "
			 "[wireguard_ha] peer_enrollment_key, or remove that file)",
			 b64, c->state_path, NWG_SEAL_PIN_FILE);
	}
	rc = nwg_repo_load(repo, port_id, &rec, err);
	if (rc < 0)
		return rc;
	rc = nwg_seal_hub_key(out, &rec->private_key, port_id, peer_pub);
	nwg_hub_record_free(rec); /* wipes the key */
	if (rc < 0) {
		out[0] = '\0';
		return nwg_err_set(err, -rc, "SEAL %s: %s", port_id, strerror(-rc));
	}
	return 0;
}
