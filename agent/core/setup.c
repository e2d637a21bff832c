/* SPDX-License-Identifier: Apache-2.0 */
#include "core/setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ini.h"
#include "conf/msg_opts.h"
#include "ctl/ctl.h"
#include "ctl/status.h"
#include "log/log.h"
#include "nwg/key.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/seal.h"
#include "privsep/harden.h"
#include "reconcile/quarantine.h"
#include "sync/neutron_rpc.h"

static void files_list(const struct nwg_cmdline *cl, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cl->n_config_files && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					cl->config_files[i]);
	if (!cl->n_config_files)
		snprintf(buf, len, "(no --config-file)");
}

static int load_config(struct nwg_agent *a, const struct nwg_cmdline *cl)
{
	struct nwg_err err = {{0}};
	char files[1024];
	int r;

	files_list(cl, files, sizeof(files));
	r = nwg_ini_load(&a->ini, cl->config_files, cl->n_config_files, &err);
	if (r >= 0)
		r = nwg_conf_load(&a->conf, a->ini, &err);
	if (r >= 0 && !cl->desired_file &&
	    (r = nwg_msg_opts_from_ini(&a->mopts, a->ini, &err)) >= 0) {
		free(a->mopts.host);
		a->mopts.host = strdup(a->conf.host);
		r = a->mopts.host ? 0 : -ENOMEM;
	}
	if (r < 0) {
		fprintf(stderr, "neutron-wireguard-agent: configuration error in %s: %s\n", files,
			err.msg[0] ? err.msg : strerror(-r));
		return 2;
	}
	a->rpc_timeout_ms =
	    (a->mopts.rpc_response_timeout_s > 0 ? a->mopts.rpc_response_timeout_s : 60) * 1000;
	return 0;
}

static int read_desired_file(struct nwg_agent *a, const char *path)
{
	json_error_t jerr;

	a->offline = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!a->offline) {
		log_err("--desired-file %s: line %d: %s", path, jerr.line, jerr.text);
		return 2;
	}
	return 0;
}

/* Before any key is read: no core dump, no swap (doc/security.md). */
static int harden(void)
{
	struct nwg_harden_result res;
	struct nwg_err err = {{0}};

	if (nwg_harden_process(&res, &err) < 0) {
		log_err("cannot protect keys in memory: %s", err.msg);
		return 1;
	}
	if (res.locked)
		log_debug("memory locked, not dumpable, no core files");
	else
		log_warn("memory not locked (%s): keys may reach swap; the process is still "
			 "not dumpable and writes no core file",
			 strerror(res.lock_errno));
	return 0;
}

/* Temp records a crash left behind may hold a private key. */
static int remove_temp(struct nwg_agent *a)
{
	struct nwg_err err = {{0}};
	int n = nwg_repo_remove_temp(a->repo, &err);

	if (n < 0) {
		log_err("channel repository %s: %s", a->conf.state_path, err.msg);
		return 1;
	}
	nwg_quarantine_purge(a);
	if (n > 0)
		log_warn("channel repository %s: removed %d stale temporary record(s) left by a "
			 "crash",
			 a->conf.state_path, n);
	return 0;
}

static int open_state(struct nwg_agent *a)
{
	struct nwg_backend_opts bo = {.kind = a->conf.backend,
				      .wireguard_go = a->conf.wireguard_go};
	struct nwg_err err = {{0}};

	if (nwg_backend_open(&a->backend, &bo, &err) < 0) {
		log_err("WireGuard backend %s unavailable: %s", nwg_backend_name(a->conf.backend),
			err.msg);
		return 1;
	}
	a->conf.backend = nwg_backend_kind(a->backend); /* "auto" resolved */
	if (nwg_repo_open(&a->repo, a->conf.state_path, &err) < 0) {
		log_err("channel repository %s: %s", a->conf.state_path, err.msg);
		return 1;
	}
	return remove_temp(a);
}

/* HA hubs (doc/ha.md): the node's enrollment key pair, made at first start
 * in the repository directory (0600); only the public half is kept (and
 * published in the state report). Without it the agent still runs, but no
 * HA hub key can be sealed to this node. */
static void enroll(struct nwg_agent *a)
{
	struct nwg_key priv, pub;
	char path[4096];
	int r;

	if (a->conf.dry_run)
		return;
	snprintf(path, sizeof(path), "%s/enroll.key", a->conf.state_path);
	r = nwg_enroll_load_or_create(path, &priv, &pub);
	nwg_key_wipe(&priv);
	if (r < 0) {
		log_warn("HA enrollment key %s: %s; this node cannot be an HA hub secondary", path,
			 strerror(-r));
		return;
	}
	nwg_key_to_b64(a->enroll_pub, &pub);
	log_info("HA enrollment public key %s (%s)", a->enroll_pub, path);
}

int nwg_agent_setup(struct nwg_agent *a, const struct nwg_cmdline *cl)
{
	struct nwg_err err = {{0}};
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = load_config(a, cl)) != 0)
		return r;
	if (nwg_log_open(cl->debug || a->conf.debug ? NWG_LOG_DEBUG : NWG_LOG_INFO,
			 a->conf.log_file, &err) < 0) {
		fprintf(stderr, "neutron-wireguard-agent: configuration error: [DEFAULT] %s\n",
			err.msg);
		return 2;
	}
	if (cl->desired_file && (r = read_desired_file(a, cl->desired_file)) != 0)
		return r;
	if ((r = harden()) != 0 || (r = open_state(a)) != 0)
		return r;
	enroll(a);
	nwg_uuid4(a->uuid);
	snprintf(a->agent_id, sizeof(a->agent_id), "wireguard-agent-%s", a->conf.host);
	log_info("starting: host %s, backend %s, repository %s, hub endpoint %s, ports %s%s",
		 a->conf.host, nwg_backend_name(nwg_backend_kind(a->backend)), a->conf.state_path,
		 a->conf.wg_hub_ip, a->conf.port_range_str, a->conf.dry_run ? ", dry run" : "");
	return 0;
}

/* [wireguard] control_status_groups / control_l3_groups -> the socket. */
static void nwg_agent_ctl_groups(struct nwg_agent *a)
{
	struct nwg_ctl_groups g = {0};

	g.n[NWG_CTL_CLASS_STATUS] = a->conf.n_control_status_gids;
	memcpy(g.gids[NWG_CTL_CLASS_STATUS], a->conf.control_status_gids,
	       sizeof(a->conf.control_status_gids));
	g.n[NWG_CTL_CLASS_L3] = a->conf.n_control_l3_gids;
	memcpy(g.gids[NWG_CTL_CLASS_L3], a->conf.control_l3_gids, sizeof(a->conf.control_l3_gids));
	nwg_ctl_set_groups(a->ctl, &g);
}

int nwg_agent_listen(struct nwg_agent *a)
{
	struct nwg_err err = {{0}};

	if (nwg_ctl_open_group(&a->ctl, a->conf.control_socket, a->conf.control_gid,
			       nwg_ctl_dispatch, a, &err) < 0) {
		log_err("control socket %s: %s", a->conf.control_socket, err.msg);
		return 1;
	}
	nwg_ctl_set_idle_timeout(a->ctl, a->conf.control_idle_timeout * 1000L);
	nwg_agent_ctl_groups(a);
	return 0;
}

int nwg_agent_offline(struct nwg_agent *a)
{
	int r = nwg_sync(a, true, NULL, 0);

	if (r < 0)
		return 1;
	for (size_t i = 0; i < a->hubs.n; i++) {
		if (!a->hubs.v[i].ok)
			return 1;
	}
	return 0;
}

void nwg_agent_teardown(struct nwg_agent *a)
{
	nwg_ctl_close(a->ctl);
	nwg_msg_close(a->msg);
	nwg_backend_close(a->backend);
	nwg_repo_close(a->repo);
	json_decref(a->offline);
	nwg_hubtab_clear(&a->hubs);
	nwg_guard_clear(&a->guard);
	nwg_acache_clear(&a->acache);
	nwg_delta_clear(&a->dcache);
	nwg_strv_free(a->ns_todo);
	nwg_strv_free(a->ns_pending);
	nwg_health_clear(&a->health);
	nwg_strv_free(a->want_ids);
	nwg_msg_opts_clear(&a->mopts);
	nwg_conf_clear(&a->conf);
	nwg_ini_free(a->ini);
	nwg_log_close();
	memset(a, 0, sizeof(*a));
}
