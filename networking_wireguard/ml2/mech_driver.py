"""ML2 mechanism driver ``wireguard``.

* validates WireGuard ports in create/update precommit (400 on bad input,
  the transaction rolls back);
* persists each port's role (and a spoke's peers) in the driver's tables,
  so the role survives `router add port` and every rebind;
* binds hubs (vif_type ``wireguard``) on hosts with a live WireGuard agent,
  and spokes that carry a binding:host_id (no agent needed);
* casts hubs_changed to the hosts concerned after commit; the agent's
  reports (q-wireguard-plugin) are served by the ``wireguard`` service
  plugin (service_plugin.py) and handled in realized.py.

It must come first in [ml2] mechanism_drivers, so that no L2 driver binds
a hub (a router-attached hub has device_owner network:router_interface).
"""

from neutron_lib.api.definitions import portbindings
from neutron_lib.db import api as db_api
from neutron_lib.plugins.ml2 import api
from oslo_config import cfg
from oslo_log import log as logging

from neutron.plugins.ml2.drivers import mech_agent

from networking_wireguard import conf  # noqa: F401 (registers options)
from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard.l3 import placement as l3_placement
from networking_wireguard.l3 import server as l3_server
from networking_wireguard.ml2 import realized
from networking_wireguard.ovn import compat as ovn_compat
from networking_wireguard.ovn import router as ovn_router
from networking_wireguard import payloads
from networking_wireguard import rpc
from networking_wireguard import validation as v

LOG = logging.getLogger(__name__)

# Port attributes whose change makes the driver re-validate a port.
_VALIDATED = ('device_owner', portbindings.HOST_ID, portbindings.PROFILE,
              portbindings.VNIC_TYPE, 'fixed_ips')
# ... and whose change the agent of a hub must hear about.
_HUB_RELEVANT = ('device_owner', 'device_id', portbindings.HOST_ID,
                 portbindings.PROFILE, 'fixed_ips', 'admin_state_up')
_SPOKE_RELEVANT = (portbindings.PROFILE, 'fixed_ips', 'admin_state_up')
_STASH = '_wireguard_deleted'


def _changed(context, keys):
    cur, orig = context.current, context.original or {}
    return any(cur.get(k) != orig.get(k) for k in keys)


def _profile_peers(port):
    profile = (port or {}).get(portbindings.PROFILE) or {}
    peers = profile.get(c.PROFILE_PEERS) if isinstance(profile, dict) \
        else None
    return {p for p in peers if isinstance(p, str)} \
        if isinstance(peers, list) else set()


def _check_ha_backend(port):
    """HA hubs are supported on ML2/Open vSwitch (doc/ha.md section 8):
    with ML2/OVN the hub's logical port is claimed by the primary's chassis
    only (requested-chassis), so its tenant side cannot follow a takeover.
    Refused with 409 rather than built half-working."""
    if 'ovn' in (cfg.CONF.ml2.mechanism_drivers or []):
        LOG.warning("Refused highly available WireGuard hub %s: ML2/OVN",
                    port['id'])
        raise l3_server.HubRouterConflict(reason=(
            'port %s: highly available WireGuard hubs are not supported '
            'with ML2/OVN (the ovn mechanism driver is loaded): OVN binds '
            "the hub's tenant port to one chassis, so it cannot follow a "
            'takeover; use ML2/Open vSwitch for HA hubs, or create the hub '
            'without the HA marking' % port['id']))


def _ha_hosts(port):
    """The hosts of an HA hub's profile (validated ones only)."""
    profile = (port or {}).get(portbindings.PROFILE) or {}
    ha = profile.get(c.PROFILE_HA) if isinstance(profile, dict) else None
    hosts = ha.get(c.HA_HOSTS) if isinstance(ha, dict) else None
    return {h for h in hosts if v.is_host(h)} \
        if isinstance(hosts, list) else set()


class WireGuardMechanismDriver(mech_agent.AgentMechanismDriverBase):

    def __init__(self):
        super().__init__(c.AGENT_TYPE, [portbindings.VNIC_NORMAL])
        self.notifier = rpc.WireGuardAgentNotifyApi()

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L3

    def initialize(self):
        drivers = list(cfg.CONF.ml2.mechanism_drivers or [])
        if not drivers or drivers[0] != c.MECH_DRIVER_NAME:
            LOG.warning("The '%(me)s' mechanism driver should be listed "
                        "first in [ml2] mechanism_drivers (now %(list)s): "
                        "otherwise another driver may bind WireGuard hubs",
                        {'me': c.MECH_DRIVER_NAME, 'list': drivers})
        plugins = [p.strip() for p in cfg.CONF.service_plugins or []]
        if not any(p == c.SERVICE_PLUGIN_NAME or
                   p.endswith('WireGuardServicePlugin') for p in plugins):
            LOG.error("The '%(me)s' service plugin is not in [DEFAULT] "
                      "service_plugins (%(list)s): nothing serves the "
                      "WireGuard agents' RPC topic %(topic)s, hubs will "
                      "never be realized",
                      {'me': c.SERVICE_PLUGIN_NAME, 'list': plugins,
                       'topic': c.PLUGIN_TOPIC})
        l3_server.subscribe()  # hubs on routers (networking_wireguard/l3)
        l3_placement.subscribe()  # ... placed on the hub's node
        ovn_compat.keep_wireguard_extension()  # ML2/OVN (doc/ovn.md)
        ovn_router.subscribe()  # ML2/OVN: `router add port` hub -> 409
        LOG.info("WireGuard mechanism driver initialized (agent type '%s')",
                 c.AGENT_TYPE)

    # ------------------------------------------------------ precommit
    def create_port_precommit(self, context):
        if self._process_port(context, creating=True):
            self._insert_provisioning_block(context)

    def update_port_precommit(self, context):
        if (self._process_port(context, creating=False) and
                context.host != context.original_host):
            self._insert_provisioning_block(context)

    def delete_port_precommit(self, context):
        session = context._plugin_context.session
        port_id = context.current['id']
        row = db.get_row(session, port_id)
        if row is None:
            return
        if row.role == c.ROLE_HUB:
            affected = {h: {port_id} for h in _ha_hosts(context.current)}
            affected[context.current.get(portbindings.HOST_ID)] = {port_id}
            spokes = db.spoke_ids_of_hubs(session, [port_id]).get(port_id, [])
        else:
            affected = self._hubs_by_host(
                session, db.hub_ids_of_spoke(session, port_id))
            spokes = []
        setattr(context, _STASH, (row.role, affected, spokes))
        db.delete_port(session, port_id)

    def _process_port(self, context, creating):
        """Validate and persist; True when the port is a WireGuard port."""
        port = context.current
        plugin_context = context._plugin_context
        session = plugin_context.session
        row = None if creating else db.get_row(session, port['id'])
        role, field = v.requested_role(port)
        if row is not None:
            if role and role != row.role:
                v.fail(field, 'port %s is a WireGuard %s; the role of a '
                              'WireGuard port cannot change'
                       % (port['id'], row.role))
            role = row.role
        if role is None:
            return False
        if row is not None and not _changed(context, _VALIDATED):
            return True
        profile_changed = row is None or _changed(
            context, (portbindings.PROFILE,))
        # A hub's profile key/endpoint are the agent's (mirrored by
        # hub_realized); check them only when this request sets the profile.
        realized = None
        if role == c.ROLE_HUB and profile_changed:
            realized = (row.public_key, row.endpoint) if row is not None \
                else (None, None)
        spec = v.check_profile(
            role, port, plugin_context.is_admin,
            extra_keys=cfg.CONF.ml2_wireguard.extra_profile_keys,
            realized=realized)
        if role == c.ROLE_HUB:
            self._check_root_ns_project(plugin_context, port)
            new_host = port.get(portbindings.HOST_ID)
            if row is not None and row.host and new_host and \
                    row.host != new_host:
                # its private key lives on row.host only (issue #13)
                LOG.warning("Refused to re-bind WireGuard hub %(id)s from "
                            "%(old)s to %(new)s", {'id': port['id'],
                                                   'old': row.host,
                                                   'new': new_host})
                raise l3_server.HubRouterConflict(reason=(
                    'port %s is a WireGuard hub realized on %s; it cannot be '
                    're-bound to %s (its private key never leaves its node: '
                    'a router with this hub must be hosted on %s; to move '
                    'the hub, create a new one there)'
                    % (port['id'], row.host, new_host, row.host)))
            if spec['ha_hosts']:
                _check_ha_backend(port)
            db.save_row(session, port['id'], role)
            db.set_ha_hosts(session, port['id'], spec['ha_hosts'])  # HA
            return True
        if profile_changed:
            self._check_peers(plugin_context, port, spec)
            db.save_row(session, port['id'], role,
                        public_key=spec['public_key'],
                        endpoint=spec['endpoint'],
                        persistent_keepalive=spec['persistent_keepalive'])
            db.set_peers(session, port['id'], spec['peers'])
        return True

    def _check_root_ns_project(self, plugin_context, port):
        """Root-namespace hubs share the node's routing table and
        addresses: a node serves ONE project that way."""
        profile = port.get(portbindings.PROFILE) or {}
        host = port.get(portbindings.HOST_ID)
        if profile.get(c.PROFILE_ROOT_NAMESPACE) is not True or not host:
            return
        session = plugin_context.session
        others = [h for h in db.hub_ids_on_host(session, host)
                  if h != port['id']]
        ports = db.ports(session, others)
        bindings = db.bindings(session, others)
        for hub_id in others:
            other = ports.get(hub_id)
            if other is None or other.project_id == port.get('project_id'):
                continue
            if db.profile_of(bindings.get(hub_id)).get(
                    c.PROFILE_ROOT_NAMESPACE) is True:
                v.fail(v.pfield(c.PROFILE_ROOT_NAMESPACE),
                       'host %s already serves project %s in its root '
                       'namespace (hub %s): root-namespace mode is one '
                       'project per node; use another node or a namespaced '
                       'hub' % (host, other.project_id, hub_id))

    def _check_peers(self, plugin_context, port, spec):
        session = plugin_context.session
        field = v.pfield(c.PROFILE_PEERS)
        peers = spec['peers']
        limit = cfg.CONF.ml2_wireguard.max_spoke_peers
        if len(peers) > limit:
            v.fail(field, 'at most %d hubs' % limit)
        rows = db.get_rows(session, peers)
        ports = db.ports(session, peers)
        for peer in peers:
            hub = ports.get(peer)
            # another project's port is reported exactly like a missing
            # one: neither its existence nor its kind leaks (issue #16)
            if hub is None or (not plugin_context.is_admin and
                               hub.project_id != port.get('project_id')):
                v.fail(field, 'port %s does not exist' % peer)
            if peer not in rows or rows[peer].role != c.ROLE_HUB:
                v.fail(field, 'port %s is not a WireGuard hub' % peer)
            if hub.network_id != port['network_id']:
                v.fail(field, 'hub %s is on network %s, not on the spoke\'s '
                              'network %s' % (peer, hub.network_id,
                                              port['network_id']))
            if rows[peer].public_key == spec['public_key']:
                v.fail(v.pfield(c.PROFILE_PUBLIC_KEY),
                       'is the public key of hub %s' % peer)
        clash = db.spokes_with_key(session, spec['public_key'], peers,
                                   port['id'])
        if clash:
            v.fail(v.pfield(c.PROFILE_PUBLIC_KEY),
                   'already used by spoke %s on hub %s (WireGuard tells '
                   'peers apart by public key)' % tuple(clash))

    # ----------------------------------------------------- postcommit
    def create_port_postcommit(self, context):
        self._after_commit(context, force=True)

    def update_port_postcommit(self, context):
        self._after_commit(context, force=False)

    def delete_port_postcommit(self, context):
        stash = getattr(context, _STASH, None)
        if not stash:
            return
        role, affected, spokes = stash
        LOG.debug("WireGuard %s %s deleted", role, context.current['id'])
        self.notifier.notify_hosts(context._plugin_context, affected)
        if spokes:
            realized.refresh_spokes(context._plugin_context, spokes)

    def _after_commit(self, context, force):
        plugin_context = context._plugin_context
        port = context.current
        realized.heal_hub_details(plugin_context, port)
        with db_api.CONTEXT_READER.using(plugin_context):
            session = plugin_context.session
            row = db.get_row(session, port['id'])
            if row is None:
                return
            if row.role == c.ROLE_HUB:
                if not force and not _changed(context, _HUB_RELEVANT):
                    return
                hosts = {port.get(portbindings.HOST_ID)}
                hosts |= _ha_hosts(port)    # HA: both nodes build it
                if context.original:
                    hosts.add(context.original.get(portbindings.HOST_ID))
                    hosts |= _ha_hosts(context.original)
                affected = {h: {port['id']} for h in hosts if h}
                spokes = []
                if not force and _changed(context, ('fixed_ips',)):
                    spokes = db.spoke_ids_of_hubs(
                        session, [port['id']]).get(port['id'], [])
            else:
                if not force and not _changed(context, _SPOKE_RELEVANT):
                    return
                hub_ids = set(db.hub_ids_of_spoke(session, port['id']))
                hub_ids |= _profile_peers(context.original)
                affected = self._hubs_by_host(session, hub_ids)
                spokes = []
        self.notifier.notify_hosts(plugin_context, affected)
        if spokes:
            realized.refresh_spokes(plugin_context, spokes)

    @staticmethod
    def _hubs_by_host(session, hub_ids):
        rows = db.get_rows(session, hub_ids, role=c.ROLE_HUB)
        result = {}
        for hub_id, host in db.hosts(session, list(rows)).items():
            if host:
                result.setdefault(host, set()).add(hub_id)
        for hub_id, ha in db.ha_rows(session, list(rows)).items():
            for host in ha:     # an HA hub's other node builds it too
                result.setdefault(host, set()).add(hub_id)
        return result

    # --------------------------------------------------------- binding
    def bind_port(self, context):
        plugin_context = context._plugin_context
        with db_api.CONTEXT_READER.using(plugin_context):
            row = db.get_row(plugin_context.session, context.current['id'])
            if row is None:
                return      # not ours: never bind it
            if row.role == c.ROLE_HUB:
                return super().bind_port(context)
            details = payloads.spoke_vif_details(plugin_context.session,
                                                 row.port_id)
        vnic = context.current.get(portbindings.VNIC_TYPE)
        if vnic not in self.supported_vnic_types or \
                not context.segments_to_bind:
            return
        segment = context.segments_to_bind[0]
        context.set_binding(segment[api.ID], c.VIF_TYPE_WIREGUARD, details)
        LOG.debug("Bound spoke %s on %s", row.port_id, context.host)

    def try_to_bind_segment_for_agent(self, context, segment, agent):
        if agent['agent_type'] != self.agent_type:
            return False
        # any network type: a hub is an L3 tunnel endpoint
        row = db.get_row(context._plugin_context.session,
                         context.current['id'])
        context.set_binding(segment[api.ID], c.VIF_TYPE_WIREGUARD,
                            payloads.hub_vif_details(row))
        LOG.debug("Bound hub %s on %s (agent %s)", context.current['id'],
                  context.host, agent['id'])
        return True

    # ------------------------------------------------- from the agent

    def hub_realized(self, context, port_id, public_key, listen_port,
                     endpoint, interface, namespace, mtu):
        """See realized.hub_realized (served by service_plugin.py)."""
        return realized.hub_realized(context, port_id, public_key,
                                     listen_port, endpoint, interface,
                                     namespace, mtu)

    def ha_reported(self, context, port_id, host, public_key, listen_port,
                    envelope, state):
        """See realized.ha_reported (served by service_plugin.py)."""
        return realized.ha_reported(context, port_id, host, public_key,
                                    listen_port, envelope, state)
