"""What the agent reports about a hub, brought to the ports concerned.

hub_realized (RPC from neutron-wireguard-agent, served by the ``wireguard``
service plugin) stores a hub's realized identity and refreshes the binding
details of the hub and of its spokes through Neutron's objects and events
(port_details.py): revision bump + PORT AFTER_UPDATE, no rebind.
"""

import types

from neutron_lib.api.definitions import portbindings
from neutron_lib.db import api as db_api
from oslo_config import cfg
from oslo_log import log as logging

from networking_wireguard.api.definitions import wireguard as apidef
from networking_wireguard import conf  # noqa: F401 (registers options)
from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard.ml2 import port_details
from networking_wireguard import payloads
from networking_wireguard import validation as v

LOG = logging.getLogger(__name__)


# The hub's fields of the ``wireguard`` port attribute that a report changes.
_ATTR_FIELDS = ('public_key', 'endpoint', 'listen_port')


def _profile_values(public_key, endpoint):
    if not cfg.CONF.ml2_wireguard.write_hub_profile:
        return None
    # Existing clients read a hub's key and endpoint from its binding:profile.
    return {c.PROFILE_PUBLIC_KEY: public_key, c.PROFILE_ENDPOINT: endpoint}


def _bound(binding):
    return binding is not None and binding.vif_type == c.VIF_TYPE_WIREGUARD


def hub_realized(context, port_id, public_key, listen_port,
                 endpoint, interface, namespace, mtu):
    """Store a hub's identity, refresh its and its spokes' binding
    details, and mirror key/endpoint into its binding:profile, through
    Neutron's PortBinding object (ml2/port_details.py): the port's
    revision is bumped and PORT AFTER_UPDATE published; no rebind.

    One transaction that reads only the hub's row and active binding; the
    port is read in full once, after commit, for the notification.
    Idempotent: the same report twice changes nothing the second time (no
    revision bump, no notification, no full read of the port).

    While ML2 is still binding the hub (its binding not yet ``wireguard``)
    the binding is left alone: a profile write would make ML2's binding
    commit fail and bind the port again. That commit carries details
    computed before this report; whichever of the two commits comes last
    brings them in line (the binding's postcommit, heal_hub_details, or
    _heal() after ours).
    """
    v.check_realized(public_key, listen_port, endpoint, mtu)
    with db_api.CONTEXT_WRITER.using(context):
        session = context.session
        row = db.get_row(session, port_id)
        if row is None or row.role != c.ROLE_HUB:
            LOG.warning("hub_realized for %s, which is not a WireGuard "
                        "hub: ignored", port_id)
            return False
        binding = port_details.active_binding(context, port_id)
        host = binding.host if binding is not None else None
        new = {'public_key': public_key, 'listen_port': listen_port,
               'endpoint': endpoint, 'interface': interface,
               'namespace': namespace, 'mtu': mtu, 'host': host}
        row_changed = any(getattr(row, k) != val for k, val in new.items())
        bound = _bound(binding)
        attr_before = {k: getattr(row, k) for k in _ATTR_FIELDS}
        changes = port_details.binding_changes(
            binding, c.VIF_TYPE_WIREGUARD,
            payloads.hub_vif_details(types.SimpleNamespace(**new)),
            _profile_values(public_key, endpoint)) if bound else {}
        before = None
        if row_changed or changes:
            # before any write: the row's flush bumps the revision
            before = port_details.binding_before(
                context, port_id, binding if changes else None)
        if row_changed:
            if row.public_key != public_key:
                # HA: an envelope sealed for the old key is void
                for ha_row in db.ha_rows(session, [port_id]).get(
                        port_id, {}).values():
                    ha_row.envelope = None
            db.save_row(session, port_id, c.ROLE_HUB, **new)
            LOG.info("Hub %s realized on %s: %s (listen port %s)",
                     port_id, host, endpoint, listen_port)
        if changes:
            port_details.update_active_binding(
                context, port_id, vif_type=c.VIF_TYPE_WIREGUARD,
                vif_details=changes.get('vif_details'),
                profile_values=_profile_values(public_key, endpoint),
                binding=binding)
        spokes = db.spoke_ids_of_hubs(session, [port_id]).get(port_id, [])
    if before is not None:
        port_details.publish_change(context, port_id, before,
                                    {apidef.WIREGUARD: attr_before})
    if not bound:
        _heal(context, port_id)
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
    the hub was realized. Bring them (and the profile mirror) back in line
    with our table. port: the port as ML2's postcommit has it."""
    if port.get(portbindings.VIF_TYPE) != c.VIF_TYPE_WIREGUARD:
        return
    _heal(plugin_context, port['id'])


def _heal(plugin_context, port_id):
    with db_api.CONTEXT_WRITER.using(plugin_context):
        session = plugin_context.session
        row = db.get_row(session, port_id)
        if row is None or row.role != c.ROLE_HUB or not row.public_key:
            return
        binding = port_details.active_binding(plugin_context, port_id)
        if not _bound(binding):
            return      # still binding: its postcommit comes here again
        have = dict(binding.vif_details or {})
        want = payloads.hub_vif_details(row)
        details = dict(have)
        details.update(want)
        changes = port_details.binding_changes(
            binding, c.VIF_TYPE_WIREGUARD, details,
            _profile_values(row.public_key, row.endpoint))
        if not changes:
            return
        before = port_details.binding_before(plugin_context, port_id,
                                             binding)
        port_details.update_active_binding(
            plugin_context, port_id, vif_type=c.VIF_TYPE_WIREGUARD,
            vif_details=details,
            profile_values=_profile_values(row.public_key, row.endpoint),
            binding=binding)
    LOG.debug("Hub %s: binding details refreshed after a binding raced "
              "with hub_realized", port_id)
    port_details.publish_change(plugin_context, port_id, before)


def ha_reported(context, port_id, host, public_key, listen_port,
                envelope=None, state=None):
    """The HA part of a hub_realized report (doc/ha.md), after
    rpc.check_reporting_host accepted host as one of the hub's HA hosts.

    primary (the bound host; hub_realized() stored its report first):
    envelope is the hub's private key sealed to the secondary's
    enrollment public key -- ciphertext, stored on the secondary's row.
    secondary: its copy must carry the primary's public key and listen
    port (it built the hub from the envelope); it never sends an envelope.
    Either: its HA state. Returns the hosts to tell (hubs_changed), [] when
    nothing changed; raises InvalidInput for a refused report.
    """
    v.check_ha_report(envelope, state)
    with db_api.CONTEXT_WRITER.using(context):
        session = context.session
        row = db.get_row(session, port_id)
        ha = db.ha_rows(session, [port_id]).get(port_id, {})
        if row is None or row.role != c.ROLE_HUB or host not in ha:
            if envelope is not None or state is not None:
                v.fail('host', '%s is not an HA host of hub %s'
                       % (host, port_id))
            return []
        binding = port_details.active_binding(context, port_id)
        primary = binding.host if binding is not None else None
        peers = [h for h in ha if h != host]
        if host != primary:
            if envelope is not None:
                v.fail('ha_envelope', 'only the primary (%s) seals the '
                                      'key of hub %s' % (primary, port_id))
            if (row.public_key, row.listen_port) != (public_key,
                                                     listen_port):
                v.fail('public_key', 'the secondary\'s copy of hub %s must '
                                     'have the primary\'s key and listen '
                                     'port (%s, %s)' % (port_id,
                                                        row.public_key,
                                                        row.listen_port))
        notify = set()
        if envelope is not None:
            for peer in peers:
                if ha[peer].envelope != envelope:
                    ha[peer].envelope = envelope
                    notify.add(peer)
        if state is not None and ha[host].state != state:
            ha[host].state = state
            notify.update(peers)
        if notify:
            session.flush()
            LOG.info("HA hub %s: report of %s (state %s%s)", port_id, host,
                     state, ', key sealed to %s' % ', '.join(peers)
                     if envelope else '')
    return sorted(notify)
