"""Interface drivers that never delete a hub.

The L3 agent also removes ``qr-`` devices without going through the router
class: the namespace sweep at start-up and ``ensure_router_cleanup``
(RouterNamespace.delete), the stale ``qr-`` sweep of
``_process_internal_ports``, and the clean-up of a router whose first
processing failed. All of them call ``interface_driver.unplug()``, which for
Neutron's drivers deletes the link -- and deleting a WireGuard link loses the
hub. These drivers wrap Neutron's: ``unplug()`` of a link whose alias is
``neutron-wireguard:<port_id>`` becomes a ``detach`` (neutron-wireguard-agent
parks it in ``tun-<project>``, down); every other device is Neutron's.

l3_agent.ini::

    [DEFAULT]
    interface_driver = wireguard_linuxbridge     # or wireguard_openvswitch

``wireguard_linuxbridge`` needs Neutron's ``BridgeInterfaceDriver``, which
Neutron removed with the linuxbridge agent in 2025.1: there the class still
imports (so ``wireguard_openvswitch`` and every other entry point load), and
constructing it fails the way a missing interface driver fails in the L3
agent (ImportError: the agent logs "Error loading interface driver" and
exits) with a message that names the replacement (doc/compat.md).

If the agent cannot be reached the link is left alone (not deleted); if the
namespace is then deleted the kernel destroys it, and neutron-wireguard-agent
re-creates the hub from its repository with the same key and listen port.
"""
from neutron.agent.linux import interface
from neutron.agent.linux import ip_lib
from oslo_log import log as logging

from networking_wireguard.l3 import hubs

LOG = logging.getLogger(__name__)


def hub_port_of(device_name, namespace):
    """The hub port id of a link, from its alias; None for other links."""
    try:
        dev = ip_lib.IPDevice(device_name, namespace=namespace)
        if not dev.exists():
            return None
        return hubs.port_id_from_alias(dev.link.alias)
    except Exception as e:  # a vanished namespace or link: not ours to keep
        LOG.debug("wireguard: cannot read the alias of %s in %s: %s",
                  device_name, namespace, e)
        return None


class HubSafeUnplugMixin(object):

    def unplug(self, device_name, bridge=None, namespace=None, prefix=None):
        port_id = hub_port_of(device_name, namespace)
        if port_id is None:
            return super().unplug(device_name, bridge=bridge,
                                  namespace=namespace, prefix=prefix)
        LOG.warning("wireguard: the L3 agent unplugs %s in %s, the hub of "
                    "port %s: parking it instead of deleting it",
                    device_name, namespace, port_id)
        hubs.manager().detach(port_id, 'unplugged by the L3 agent')


# Gone in Neutron 2025.1 (linuxbridge removed); None there.
_NeutronBridgeDriver = getattr(interface, 'BridgeInterfaceDriver', None)

if _NeutronBridgeDriver is not None:
    class BridgeInterfaceDriver(HubSafeUnplugMixin, _NeutronBridgeDriver):
        """``linuxbridge`` that never deletes a hub."""
else:
    class BridgeInterfaceDriver(object):
        """Placeholder where Neutron has no linuxbridge (2025.1+)."""

        def __init__(self, conf, **kwargs):
            msg = ("interface_driver wireguard_linuxbridge needs Neutron's "
                   "linuxbridge interface driver, which this Neutron does "
                   "not have (removed in 2025.1): use "
                   "interface_driver = wireguard_openvswitch")
            LOG.error(msg)
            raise ImportError(msg)


class OVSInterfaceDriver(HubSafeUnplugMixin, interface.OVSInterfaceDriver):
    """``openvswitch`` that never deletes a hub."""
