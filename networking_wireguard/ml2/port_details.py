"""Hub details reach a port through Neutron's own objects and events.

The agent's report (hub_realized) changes data of a port that no API call
changed: the active binding's vif_details (and, for existing clients, a
hub's public_key/endpoint in binding:profile). A binding change through
the API re-binds the port (unbind + bind: a second per hub, and a loop if
the driver itself asked for it), so the driver instead:

* writes the active binding through Neutron's PortBinding object
  (neutron.objects.ports.PortBinding.update(), the object ML2 itself uses):
  the revision plugin bumps the port's revision_number (the binding model
  revises its port), in the caller's transaction;
* after commit, publishes PORT AFTER_UPDATE with the port before and after,
  as ML2 does at the end of update_port: every consumer that listens to
  port updates (L3/DHCP schedulers, notifiers, other drivers) hears it.

No rebind happens: the binding's host, vif_type and segment do not change.

The agent's report is on the path of every hub's creation, so the port is
read in full once, after commit: the port before the change is that dict
with the few values the change altered put back (binding_before(),
publish_change()).
"""

from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib.db import standard_attr
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from oslo_log import log as logging

from neutron.db import models_v2
from neutron.objects import ports as ports_obj

LOG = logging.getLogger(__name__)


def active_binding(context, port_id):
    bindings = ports_obj.PortBinding.get_objects(
        context, port_id=port_id, status=n_const.ACTIVE)
    return bindings[0] if bindings else None


def binding_changes(binding, vif_type=None, vif_details=None,
                    profile_values=None):
    """{field: new value} for what update_active_binding would change in
    this binding (an empty dict: nothing). No query."""
    changes = {}
    if binding is None:
        return changes
    if vif_details is not None and (vif_type is None or
                                    binding.vif_type == vif_type):
        if dict(binding.vif_details or {}) != vif_details:
            changes['vif_details'] = vif_details
    if profile_values:
        profile = dict(binding.profile or {})
        want = dict(profile)
        for key, value in profile_values.items():
            if value is None:
                want.pop(key, None)
            else:
                want[key] = value
        if want != profile:
            changes['profile'] = want
    return changes


def update_active_binding(context, port_id, vif_type=None, vif_details=None,
                          profile_values=None, binding=None):
    """Change the active binding of port_id in the caller's transaction.

    vif_details replaces the details when the binding has vif_type (when
    given); profile_values ({key: value or None}) is merged into the
    profile (None removes the key). binding: the active binding, when the
    caller has read it already. Returns True when something changed (the
    port's revision is then bumped at flush).
    """
    if binding is None:
        binding = active_binding(context, port_id)
    changes = binding_changes(binding, vif_type, vif_details, profile_values)
    if not changes:
        return False
    for field, value in changes.items():
        setattr(binding, field, value)
    binding.update()
    return True


def port_dict(context, port_id):
    """The port as the API shows it, or None once it is gone."""
    try:
        return directory.get_plugin().get_port(context, port_id)
    except n_exc.PortNotFound:
        return None


# Neutron's timestamp extension (whole seconds, 'Z').
_TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def binding_before(context, port_id, binding=None):
    """What a change of the port's active binding (or of a row that
    revises the port) alters in its API dict, as it is now: details and
    profile (of binding, when given), revision_number and updated_at (one
    narrow query, in the caller's transaction, before the change)."""
    attr = standard_attr.StandardAttribute
    stamp = context.session.query(
        attr.revision_number, attr.updated_at).join(
        models_v2.Port, models_v2.Port.standard_attr_id == attr.id).filter(
        models_v2.Port.id == port_id).first()
    before = {}
    if binding is not None:
        before[portbindings.VIF_DETAILS] = dict(binding.vif_details or {})
        before[portbindings.PROFILE] = dict(binding.profile or {})
    if stamp is not None:
        before['revision_number'] = stamp[0]
        if stamp[1] is not None:
            before['updated_at'] = stamp[1].strftime(_TIME_FORMAT)
    return before


def _publish(context, port_id, original, updated):
    registry.publish(resources.PORT, events.AFTER_UPDATE,
                     directory.get_plugin(),
                     payload=events.DBEventPayload(
                         context, resource_id=port_id,
                         metadata={'mac_address_updated': False},
                         states=(original, updated)))


def publish_update(context, port_id, original):
    """PORT AFTER_UPDATE (as ML2's update_port sends it) after commit.
    Never raises: the data is committed; a failed notification is logged."""
    try:
        updated = port_dict(context, port_id)
        if original is None or updated is None:
            return
        _publish(context, port_id, original, updated)
    except Exception:
        LOG.exception("Port %s: AFTER_UPDATE notification failed", port_id)


def publish_change(context, port_id, before, nested=None):
    """PORT AFTER_UPDATE after commit, the port before the change being
    the port now with the values in before ({attribute: old value}) put
    back, and nested ({attribute: {key: old value}}) merged into a dict
    attribute: one full read of the port instead of two. Never raises."""
    try:
        updated = port_dict(context, port_id)
        if updated is None:
            return
        original = dict(updated)
        original.update(before)
        bound = (updated.get(portbindings.VIF_DETAILS) or {}).get(
            portbindings.VIF_DETAILS_BOUND_DRIVERS)
        if portbindings.VIF_DETAILS in before and bound is not None:
            # ML2 adds the binding levels, which a details change keeps
            original[portbindings.VIF_DETAILS] = dict(
                before[portbindings.VIF_DETAILS],
                **{portbindings.VIF_DETAILS_BOUND_DRIVERS: bound})
        for attr, values in (nested or {}).items():
            if isinstance(updated.get(attr), dict):
                original[attr] = dict(updated[attr], **values)
        _publish(context, port_id, original, updated)
    except Exception:
        LOG.exception("Port %s: AFTER_UPDATE notification failed", port_id)
