"""RPC between neutron-server and neutron-wireguard-agent (doc/contracts.md).

Agent -> server: topic q-wireguard-plugin, version 1.0 (WireGuardRpcCallback,
served in neutron-server's RPC workers by the ``wireguard`` service plugin).
Server -> agent: hubs_changed casts on q-wireguard-agent, server = host.
"""

from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib import exceptions as n_exc
from neutron_lib import rpc as n_rpc
from oslo_log import log as logging
import oslo_messaging

from networking_wireguard import constants as c
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


class WireGuardRpcCallback(object):
    """Served on topic q-wireguard-plugin (version 1.0)."""

    target = oslo_messaging.Target(version=c.PLUGIN_RPC_VERSION)

    def __init__(self, driver):
        # driver: anything with hub_realized() (ml2/realized.py)
        self.driver = driver

    def get_hubs(self, context, host, port_ids=None):
        LOG.debug("get_hubs(host=%s, port_ids=%s)", host, port_ids)
        admin = n_context.get_admin_context()
        if port_ids is not None and not isinstance(port_ids, list):
            port_ids = [port_ids]
        with db_api.CONTEXT_READER.using(admin):
            return payloads.get_hubs(admin.session, host, port_ids)

    @oslo_messaging.expected_exceptions(n_exc.InvalidInput)
    def hub_realized(self, context, port_id, public_key, listen_port,
                     endpoint=None, interface=None, namespace=None,
                     mtu=None):
        LOG.info("hub_realized(port_id=%s, public_key=%s, listen_port=%s, "
                 "endpoint=%s, interface=%s, namespace=%s, mtu=%s)",
                 port_id, public_key, listen_port, endpoint, interface,
                 namespace, mtu)
        try:
            self.driver.hub_realized(
                n_context.get_admin_context(), port_id, public_key,
                listen_port, endpoint, interface, namespace, mtu)
        except n_exc.InvalidInput as e:
            # Bad data from an agent: refuse it (the agent gets the error).
            LOG.warning("hub_realized for %s rejected: %s", port_id, e)
            raise
        return None
