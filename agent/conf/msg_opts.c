/* SPDX-License-Identifier: Apache-2.0 */
/* nwg_msg_opts from neutron.conf-style ini ([DEFAULT], [oslo_messaging_rabbit]). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/ini.h"
#include "conf/msg_opts.h"
#include "msg/msg.h"

#define RABBIT "oslo_messaging_rabbit"

static int dup_opt(char **dst, const char *v, struct nwg_err *err)
{
	*dst = v ? strdup(v) : NULL;
	if (v && !*dst)
		return nwg_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static int opts_strings(struct nwg_msg_opts *o, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *ce = nwg_ini_get(ini, "DEFAULT", "control_exchange");
	const char *host = nwg_ini_get(ini, "DEFAULT", "host");
	char hn[HOST_NAME_MAX + 1];
	int rc;

	if (!ce || !*ce)
		ce = "neutron";
	if (!host || !*host) {
		if (gethostname(hn, sizeof(hn)) < 0)
			return nwg_err_set(err, errno, "[DEFAULT] host: gethostname: %s",
					   strerror(errno));
		hn[sizeof(hn) - 1] = '\0';
		host = hn;
	}
	if (strlen(ce) > 255 || strlen(host) > 150)
		return nwg_err_set(err, EINVAL, "[DEFAULT] control_exchange/host: too long");
	rc = dup_opt(&o->control_exchange, ce, err);
	if (rc == 0)
		rc = dup_opt(&o->host, host, err);
	if (rc == 0)
		rc = dup_opt(&o->ssl_ca_file, nwg_ini_get(ini, RABBIT, "ssl_ca_file"), err);
	if (rc == 0)
		rc = dup_opt(&o->ssl_cert_file, nwg_ini_get(ini, RABBIT, "ssl_cert_file"), err);
	if (rc == 0)
		rc = dup_opt(&o->ssl_key_file, nwg_ini_get(ini, RABBIT, "ssl_key_file"), err);
	return rc;
}

static int opts_numbers(struct nwg_msg_opts *o, const struct nwg_ini *ini, struct nwg_err *err)
{
	long ttl, hb, to;
	bool ssl = o->ssl;
	int rc;

	rc = nwg_ini_get_bool(ini, RABBIT, "amqp_durable_queues", false, &o->amqp_durable_queues,
			      err);
	if (rc == 0)
		rc = nwg_ini_get_bool(ini, RABBIT, "amqp_auto_delete", false, &o->amqp_auto_delete,
				      err);
	if (rc == 0)
		rc = nwg_ini_get_bool(ini, RABBIT, "ssl", ssl, &o->ssl, err);
	if (rc == 0)
		rc = nwg_ini_get_int(ini, RABBIT, "rabbit_transient_queues_ttl", 1800, 1, 2000000,
				     &ttl, err);
	if (rc == 0)
		rc = nwg_ini_get_int(ini, RABBIT, "heartbeat_timeout_threshold", 60, 0, 3600, &hb,
				     err);
	if (rc == 0)
		rc =
		    nwg_ini_get_int(ini, "DEFAULT", "rpc_response_timeout", 60, 1, 86400, &to, err);
	if (rc < 0)
		return rc;
	o->transient_queues_ttl_s = (int)ttl;
	o->heartbeat_timeout_s = (int)hb;
	o->rpc_response_timeout_s = (int)to;
	return 0;
}

int nwg_msg_opts_from_ini(struct nwg_msg_opts *opts, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *url;
	int rc;

	if (!opts || !ini)
		return nwg_err_set(err, EINVAL, "msg options: NULL argument");
	memset(opts, 0, sizeof(*opts));
	url = nwg_ini_get(ini, "DEFAULT", "transport_url");
	if (!url || !*url)
		return nwg_err_set(err, EINVAL, "[DEFAULT] transport_url: not set");
	rc = nwg_msg_parse_transport_url(opts, url, err);
	if (rc < 0) {
		char why[NWG_ERR_MSG_LEN];

		snprintf(why, sizeof(why), "%s", err ? err->msg : "");
		nwg_err_set(err, -rc, "[DEFAULT] %s", why);
	}
	if (rc == 0)
		rc = opts_strings(opts, ini, err);
	if (rc == 0)
		rc = opts_numbers(opts, ini, err);
	if (rc < 0)
		nwg_msg_opts_clear(opts);
	return rc;
}
