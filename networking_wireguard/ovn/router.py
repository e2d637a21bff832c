"""`router add port` with a WireGuard hub on ML2/OVN: refused (409).

On ML2/L3-agent backends a hub becomes a router interface and its WireGuard
link moves into the router's namespace. OVN logical routers have no
namespace: a hub port turned into a router interface would become an OVN
logical router port, and its node's namespace (where the hub's key and
tunnel live) would lose the port. So on ML2/OVN the hub stays an ordinary
port bound to its node, and the router reaches the devices through it
(doc/ovn.md): the router gets an interface on the hub's subnet, the hub port
lists the devices' prefix as an allowed address pair, and the router has an
extra route to that prefix via the hub's address -- all public Neutron API.

``check_hub_router_port`` (PORT BEFORE_UPDATE, published by ML2 before any
change is made, also by add_router_interface when it rewrites the port's
device_owner) refuses that rewrite with the three commands that do it.
"""
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from oslo_log import log as logging

from networking_wireguard.ovn import compat

LOG = logging.getLogger(__name__)

_ROUTER_OWNERS = set(n_const.ROUTER_INTERFACE_OWNERS) | {
    n_const.DEVICE_OWNER_ROUTER_GW}


class HubRouterPortOnOvn(n_exc.Conflict):
    message = '%(reason)s'


def _device_prefixes(context, port):
    """The other subnets of the hub's network: where its devices usually
    take their addresses (a hint for the message only)."""
    own = {ip.get('subnet_id') for ip in port.get('fixed_ips') or []}
    try:
        subnets = directory.get_plugin().get_subnets(
            context.elevated(), filters={'network_id': [port['network_id']]},
            fields=['id', 'cidr'])
    except Exception:  # a hint only: never fail the refusal on it
        return []
    return sorted(s['cidr'] for s in subnets if s['id'] not in own)


def manual_steps(port, router_id, prefixes):
    ips = port.get('fixed_ips') or []
    subnet = ips[0].get('subnet_id') if ips else '<hub subnet>'
    hub_ip = ips[0].get('ip_address') if ips else '<hub IP>'
    prefix = prefixes[0] if len(prefixes) == 1 else "<devices' prefix>"
    return ('openstack router add subnet %(r)s %(s)s; '
            'openstack port set --allowed-address ip-address=%(p)s %(h)s; '
            'openstack router set --route destination=%(p)s,gateway=%(ip)s '
            '%(r)s' % {'r': router_id or '<router>', 's': subnet,
                       'p': prefix, 'h': port['id'], 'ip': hub_ip})


def check_hub_router_port(resource, event, trigger, payload=None):
    from networking_wireguard.l3 import server
    original, attrs = payload.states[0], payload.states[-1] or {}
    owner = attrs.get('device_owner')
    if (owner not in _ROUTER_OWNERS or not original or
            original.get('device_owner') == owner or
            not server._is_hub(payload.context, original)):
        return
    router_id = attrs.get('device_id') or original.get('device_id')
    steps = manual_steps(original, router_id,
                         _device_prefixes(payload.context, original))
    LOG.info("Refused WireGuard hub %(p)s as a port of router %(r)s on "
             "ML2/OVN", {'p': original['id'], 'r': router_id})
    raise HubRouterPortOnOvn(reason=(
        'port %s is a WireGuard hub; on ML2/OVN it cannot be a router port '
        '(an OVN router port has no namespace for its WireGuard link). '
        'Connect the router to the hub instead: %s'
        % (original['id'], steps)))


def subscribe():
    """Subscribed when the ovn mechanism driver is configured."""
    if not compat.ovn_configured():
        return False
    registry.subscribe(check_hub_router_port, resources.PORT,
                       events.BEFORE_UPDATE)
    return True
