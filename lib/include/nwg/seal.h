/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HA hub key distribution: a node's enrollment key pair (X25519, made once on
 * the node, only the public half is ever published) and a hub private key
 * sealed to another node's enrollment public key (libsodium sealed box).
 * The sealed envelope binds the hub's port id, so a blob sealed for one hub
 * can never be accepted as another hub's key. Nothing here logs.
 */
#ifndef NWG_SEAL_H
#define NWG_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/key.h"

#define NWG_PORT_ID_LEN 36 /* canonical UUID text */
/* Base64 (standard alphabet, padded) of the sealed envelope, without NUL. */
#define NWG_SEALED_B64_LEN 176

/*
 * Seals hub_priv for the holder of recipient_pub, bound to port_id (a
 * canonical lower-case UUID). out gets NWG_SEALED_B64_LEN chars + NUL.
 * -EINVAL: bad port id or an all-zero key; -EIO: libsodium failed.
 */
int nwg_seal_hub_key(char out[NWG_SEALED_B64_LEN + 1], const struct nwg_key *hub_priv,
		     const char *port_id, const struct nwg_key *recipient_pub);

/* A well-formed envelope: exactly NWG_SEALED_B64_LEN characters of canonical
 * base64 of a sealed box (what nwg_unseal_hub_key accepts before it opens). */
bool nwg_sealed_valid(const char *s, size_t len);

/*
 * Opens an envelope made by nwg_seal_hub_key with this node's enrollment
 * pair. -EINVAL: not a well-formed envelope (length, alphabet, padding);
 * -ENOKEY: not sealed to this node or altered; -EBADMSG: sealed to this node
 * but for another port id or another format version. hub_priv is written
 * only on success; every intermediate copy is wiped.
 */
int nwg_unseal_hub_key(struct nwg_key *hub_priv, const char *sealed, size_t len,
		       const char *port_id, const struct nwg_key *own_pub,
		       const struct nwg_key *own_priv);

/*
 * The node's enrollment key: loads `path` or, when it does not exist,
 * creates it (O_EXCL, 0600, the base64 private key and a newline, fsync'd).
 * A file that is not a regular file of this user with mode 0600 or stricter
 * (group/other bits set, a symlink, several links) is refused: -EPERM;
 * malformed content: -EINVAL; other failures: -errno. pub is derived.
 */
int nwg_enroll_load_or_create(const char *path, struct nwg_key *priv, struct nwg_key *pub);

/*
 * The one unseal-to-key step of an HA secondary (the agent's executor, in
 * process or privilege-separated, calls only this): loads this node's
 * enrollment key from enroll_path (never creates it: -ENOENT; a loose file
 * -EPERM, as above) and opens the envelope for port_id with it (errors as
 * nwg_unseal_hub_key: -EINVAL, -ENOKEY another node's, -EBADMSG another
 * hub's). hub_priv is written only on success; the enrollment private key
 * is wiped before returning.
 */
int nwg_enroll_unseal(const char *enroll_path, const char *sealed, size_t len, const char *port_id,
		      struct nwg_key *hub_priv);

#endif
