"""What the agent reports about a hub, brought to the ports concerned.

hub_realized (RPC from neutron-wireguard-agent, served by the ``wireguard``
service plugin) stores a hub's realized identity and refreshes the binding
details of the hub and of its spokes through Neutron's objects and events
(port_details.py): revision bump + PORT AFTER_UPDATE, no rebind.
"""

from neutron_lib.api.definitions import portbindings
from neutron_lib.db import api as db_api
from oslo_config import cfg
from oslo_log import log as logging

from networking_wireguard import conf  # noqa: F401 (registers options)
from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard.ml2 import port_details
from networking_wireguard import payloads
from networking_wireguard import validation as v

LOG = logging.getLogger(__name__)


def hub_realized(context, port_id, public_key, listen_port,
                 endpoint, interface, namespace, mtu):
    """Store a hub's identity, refresh its and its spokes' binding
    details, and mirror key/endpoint into its binding:profile, through
    Neutron's PortBinding object (ml2/port_details.py): the port's
    revision is bumped and PORT AFTER_UPDATE published; no rebind.

    Idempotent: the same report twice changes nothing the second time
    (no revision bump, no notification).
    """
    v.check_realized(public_key, listen_port, endpoint, mtu)
    original = port_details.port_dict(context, port_id)
    with db_api.CONTEXT_WRITER.using(context):
        session = context.session
        row = db.get_row(session, port_id)
        if original is None or row is None or row.role != c.ROLE_HUB:
            LOG.warning("hub_realized for %s, which is not a WireGuard "
                        "hub: ignored", port_id)
            return False
        host = db.hosts(session, [port_id]).get(port_id)
        new = {'public_key': public_key, 'listen_port': listen_port,
               'endpoint': endpoint, 'interface': interface,
               'namespace': namespace, 'mtu': mtu, 'host': host}
        changed = any(getattr(row, k) != val for k, val in new.items())
        if changed:
            db.save_row(session, port_id, c.ROLE_HUB, **new)
            LOG.info("Hub %s realized on %s: %s (listen port %s)",
                     port_id, host, endpoint, listen_port)
        profile = None
        if cfg.CONF.ml2_wireguard.write_hub_profile:
            # Existing clients read a hub's key and endpoint from its
            # binding:profile.
            profile = {c.PROFILE_PUBLIC_KEY: public_key,
                       c.PROFILE_ENDPOINT: endpoint}
        if port_details.update_active_binding(
                context, port_id, vif_type=c.VIF_TYPE_WIREGUARD,
                vif_details=payloads.hub_vif_details(row),
                profile_values=profile):
            changed = True
        spokes = db.spoke_ids_of_hubs(session, [port_id]).get(port_id, [])
    if changed:
        port_details.publish_update(context, port_id, original)
    if spokes:
        refresh_spokes(context, spokes)
    return True


def refresh_spokes(plugin_context, spoke_ids):
    """Bring the spokes' binding details (their hubs) up to date; each
    spoke that changes gets a revision bump and an AFTER_UPDATE."""
    changed = []
    with db_api.CONTEXT_WRITER.using(plugin_context):
        session = plugin_context.session
        for spoke_id in spoke_ids:
            details = payloads.spoke_vif_details(session, spoke_id)
            binding = port_details.active_binding(plugin_context,
                                                  spoke_id)
            if (binding is None or
                    binding.vif_type != c.VIF_TYPE_WIREGUARD or
                    dict(binding.vif_details or {}) == details):
                continue
            original = port_details.port_dict(plugin_context, spoke_id)
            port_details.update_active_binding(
                plugin_context, spoke_id, vif_type=c.VIF_TYPE_WIREGUARD,
                vif_details=details)
            changed.append((spoke_id, original))
    for spoke_id, original in changed:
        port_details.publish_update(plugin_context, spoke_id, original)


def heal_hub_details(plugin_context, port):
    """hub_realized may land while ML2 is still committing the hub's
    first binding; that commit then stores the details computed before
    the hub was realized. Bring them back in line with our table."""
    if port.get(portbindings.VIF_TYPE) != c.VIF_TYPE_WIREGUARD:
        return
    have = port.get(portbindings.VIF_DETAILS) or {}
    with db_api.CONTEXT_WRITER.using(plugin_context):
        session = plugin_context.session
        row = db.get_row(session, port['id'])
        if row is None or row.role != c.ROLE_HUB or not row.public_key:
            return
        want = payloads.hub_vif_details(row)
        if all(have.get(k) == want[k] for k in c.HUB_DETAILS):
            return
        details = dict(have)
        details.update(want)
        changed = port_details.update_active_binding(
            plugin_context, port['id'], vif_type=c.VIF_TYPE_WIREGUARD,
            vif_details=details)
    if changed:
        LOG.debug("Hub %s: binding details refreshed after a binding "
                  "raced with hub_realized", port['id'])
        port_details.publish_update(plugin_context, port['id'], port)
