/* SPDX-License-Identifier: Apache-2.0 */
/* Messaging options from neutron.conf-style ini files. */
#ifndef NWG_AGENT_CONF_MSG_OPTS_H
#define NWG_AGENT_CONF_MSG_OPTS_H

#include "conf/ini.h"
#include "msg/msg.h"

/* Fills opts from the loaded ini (transport_url parsed, several hosts,
 * credentials and vhost percent-decoded). -EINVAL with a message naming the
 * option on bad input. */
int nwg_msg_opts_from_ini(struct nwg_msg_opts *opts, const struct nwg_ini *ini,
			  struct nwg_err *err);

#endif
