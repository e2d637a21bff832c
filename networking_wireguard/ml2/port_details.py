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
"""

from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from oslo_log import log as logging

from neutron.objects import ports as ports_obj

LOG = logging.getLogger(__name__)


def active_binding(context, port_id):
    bindings = ports_obj.PortBinding.get_objects(
        context, port_id=port_id, status=n_const.ACTIVE)
    return bindings[0] if bindings else None


def update_active_binding(context, port_id, vif_type=None, vif_details=None,
                          profile_values=None):
    """Change the active binding of port_id in the caller's transaction.

    vif_details replaces the details when the binding has vif_type (when
    given); profile_values ({key: value or None}) is merged into the
    profile (None removes the key). Returns True when something changed
    (the port's revision is then bumped at flush).
    """
    binding = active_binding(context, port_id)
    if binding is None:
        return False
    changed = False
    if vif_details is not None and (vif_type is None or
                                    binding.vif_type == vif_type):
        if dict(binding.vif_details or {}) != vif_details:
            binding.vif_details = vif_details
            changed = True
    if profile_values:
        profile = dict(binding.profile or {})
        want = dict(profile)
        for key, value in profile_values.items():
            if value is None:
                want.pop(key, None)
            else:
                want[key] = value
        if want != profile:
            binding.profile = want
            changed = True
    if changed:
        binding.update()
    return changed


def port_dict(context, port_id):
    """The port as the API shows it, or None once it is gone."""
    try:
        return directory.get_plugin().get_port(context, port_id)
    except n_exc.PortNotFound:
        return None


def publish_update(context, port_id, original):
    """PORT AFTER_UPDATE (as ML2's update_port sends it) after commit.
    Never raises: the data is committed; a failed notification is logged."""
    try:
        updated = port_dict(context, port_id)
        if original is None or updated is None:
            return
        registry.publish(resources.PORT, events.AFTER_UPDATE,
                         directory.get_plugin(),
                         payload=events.DBEventPayload(
                             context, resource_id=port_id,
                             metadata={'mac_address_updated': False},
                             states=(original, updated)))
    except Exception:
        LOG.exception("Port %s: AFTER_UPDATE notification failed", port_id)
