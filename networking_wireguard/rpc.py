"""RPC between neutron-server and neutron-wireguard-agent (doc/contracts.md).

Agent -> server: topic q-wireguard-plugin, version 1.3 (WireGuardRpcCallback,
served in neutron-server's RPC workers by the ``wireguard`` service plugin).
Server -> agent: hubs_changed casts on q-wireguard-agent, server = host.
"""

from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from neutron_lib import rpc as n_rpc
from oslo_log import log as logging
import oslo_messaging

from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard import hub_delta
from networking_wireguard import hub_digest
from networking_wireguard import payloads

LOG = logging.getLogger(__name__)


class WireGuardAgentNotifyApi(object):
    """Casts to the agents (one per network node)."""

    def __init__(self, topic=c.AGENT_TOPIC):
        self.topic = topic
        self._client = None

    @property
    def client(self):
        if self._client is None:
            target = oslo_messaging.Target(topic=self.topic,
                                           version=c.AGENT_RPC_VERSION)
            self._client = n_rpc.get_client(target)
        return self._client

    def hubs_changed(self, context, host, port_ids):
        """Tell the agent on host to re-read these hubs (get_hubs)."""
        if not host or not port_ids:
            return
        port_ids = sorted(set(port_ids))
        LOG.debug("hubs_changed to %s: %s", host, port_ids)
        cctxt = self.client.prepare(server=host, fanout=False)
        cctxt.cast(context, 'hubs_changed', port_ids=port_ids)

    def notify_hosts(self, context, hubs_by_host):
        """hubs_by_host: {host: set(hub ids)}. Never raises."""
        for host, hub_ids in sorted(hubs_by_host.items()):
            try:
                self.hubs_changed(context, host, hub_ids)
            except Exception:
                LOG.exception("hubs_changed cast to %s failed", host)


def _page_args(page):
    """get_hubs 1.1 page = {"after": <port id> | None, "max_spokes": N}."""
    if not isinstance(page, dict):
        raise n_exc.InvalidInput(error_message="page must be a dict")
    after = page.get('after')
    max_spokes = page.get('max_spokes')
    if after is not None and (not isinstance(after, str) or
                              not 0 < len(after) <= 64):
        raise n_exc.InvalidInput(
            error_message="page.after must be a port id or null")
    if (isinstance(max_spokes, bool) or not isinstance(max_spokes, int) or
            not 1 <= max_spokes <= 100000):
        raise n_exc.InvalidInput(
            error_message="page.max_spokes must be an integer 1..100000")
    return after, max_spokes


def _ha_hosts(session, port_id):
    return set(db.ha_rows(session, [port_id]).get(port_id, {}))


def check_reporting_host(context, port_id, host):
    """Refuse a report about a hub from anyone but its host's live agent.

    An agent may only report a hub bound to its own host, and only while it
    is a live WireGuard agent there (Neutron's own agent RPCs check the
    caller's host the same way). Raises InvalidInput otherwise; a port_id
    that is not a hub passes (the driver logs and ignores it).
    An HA hub's second host (doc/ha.md) may report too; a third may not.
    Returns True for the bound host (or a port that is not a hub), False
    for the HA secondary.
    """
    if not isinstance(host, str) or not host:
        raise n_exc.InvalidInput(error_message='host: required (the '
                                               'reporting agent\'s host)')
    with db_api.CONTEXT_READER.using(context):
        row = db.get_row(context.session, port_id)
        if row is None or row.role != c.ROLE_HUB:
            return True
        bound = db.hosts(context.session, [port_id]).get(port_id)
        # an HA hub (doc/ha.md) is built, and reported, by both its hosts
        ha_hosts = _ha_hosts(context.session, port_id)
    if bound != host and host not in ha_hosts:
        raise n_exc.InvalidInput(error_message=(
            'host: %s is not the bound host of hub %s' % (host, port_id)))
    agents = directory.get_plugin().get_agents(
        context, filters={'agent_type': [c.AGENT_TYPE], 'host': [host]})
    if not any(a.get('alive') for a in agents):
        raise n_exc.InvalidInput(error_message=(
            'host: no live %s on %s' % (c.AGENT_TYPE, host)))
    return bound == host


class WireGuardRpcCallback(object):
    """Served on topic q-wireguard-plugin (1.1: pages, 1.2: digests,
    1.3: deltas)."""

    target = oslo_messaging.Target(version=c.PLUGIN_RPC_VERSION)

    def __init__(self, driver):
        # driver: anything with hub_realized() (ml2/realized.py)
        self.driver = driver

    @oslo_messaging.expected_exceptions(n_exc.InvalidInput)
    def get_hubs(self, context, host, port_ids=None, page=None,
                 digests=None, deltas=None, delta_min=None):
        LOG.debug("get_hubs(host=%s, port_ids=%s, page=%s, digests=%s)",
                  host, port_ids, page, digests is not None)
        admin = n_context.get_admin_context()
        if port_ids is not None and not isinstance(port_ids, list):
            port_ids = [port_ids]
        if page is not None:
            after, max_spokes = _page_args(page)
        digests = hub_digest.check_digests(digests)  # 1.2: conditional
        deltas = hub_delta.check_deltas(deltas, digests)  # 1.3: deltas
        delta_min = hub_delta.check_delta_min(delta_min)
        with db_api.CONTEXT_READER.using(admin):
            if page is None:
                return payloads.get_hubs(admin.session, host, port_ids)
            return payloads.get_hubs_page(admin.session, host, port_ids,
                                          after, max_spokes, digests,
                                          deltas, delta_min)

    @oslo_messaging.expected_exceptions(n_exc.InvalidInput)
    def hub_realized(self, context, port_id, public_key, listen_port,
                     endpoint=None, interface=None, namespace=None,
                     mtu=None, host=None, ha_envelope=None, ha_state=None):
        # ha_envelope: ciphertext only (the hub key sealed to the other
        # HA node's enrollment key); logged by length, never by value
        LOG.info("hub_realized(port_id=%s, public_key=%s, listen_port=%s, "
                 "endpoint=%s, interface=%s, namespace=%s, mtu=%s, host=%s, "
                 "ha_envelope=%s, ha_state=%s)",
                 port_id, public_key, listen_port, endpoint, interface,
                 namespace, mtu, host,
                 None if ha_envelope is None else
                 '<%d chars>' % len(str(ha_envelope)), ha_state)
        admin = n_context.get_admin_context()
        try:
            primary = check_reporting_host(admin, port_id, host)
            if primary:
                self.driver.hub_realized(
                    admin, port_id, public_key,
                    listen_port, endpoint, interface, namespace, mtu)
            # the primary's plain report has no HA part: no second
            # transaction on the path every hub's report takes
            if not primary or ha_envelope is not None or \
                    ha_state is not None:
                self._ha_reported(admin, port_id, host, public_key,
                                  listen_port, ha_envelope, ha_state)
        except n_exc.InvalidInput as e:
            # Bad data from an agent: refuse it (the agent gets the error).
            LOG.warning("hub_realized for %s rejected: %s", port_id, e)
            raise
        return None

    def _ha_reported(self, admin, port_id, host, public_key, listen_port,
                     envelope, state):
        ha_reported = getattr(self.driver, 'ha_reported', None)
        if ha_reported is None:
            return
        notify = ha_reported(admin, port_id, host, public_key, listen_port,
                             envelope, state)
        if notify:
            WireGuardAgentNotifyApi().notify_hosts(
                admin, {h: {port_id} for h in notify})
