/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to lib/netns*.c. */
#ifndef NWG_NETNS_INT_H
#define NWG_NETNS_INT_H

#define NWG_NETNS_RUN_DIR "/run/netns"

/* 0 if name is a valid namespace name (see nwg/netns.h), else -EINVAL. */
int nwg_netns_name_valid(const char *name);

#endif
