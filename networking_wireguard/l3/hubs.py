"""Hub bookkeeping shared by the router class, the extension and the
interface drivers.

A router port is a hub when ML2 bound it with ``binding:vif_type`` =
``wireguard`` (the marker that survives ``router add port``, which rewrites
``device_owner``). Attaching, detaching and addressing are done by
neutron-wireguard-agent; this module only decides what to ask and keeps the
hubs whose attach has to be retried ("pending").
"""
import threading

from neutron.common import utils as common_utils
from neutron_lib.api.definitions import portbindings
from oslo_config import cfg
from oslo_log import log as logging

from networking_wireguard.l3 import ctl

LOG = logging.getLogger(__name__)

VIF_TYPE_WIREGUARD = 'wireguard'
ALIAS_PREFIX = 'neutron-wireguard:'


def is_hub(port):
    """A hub: bound as ``wireguard``, or marked as one while (re)binding.

    ``binding:vif_type`` is the marker of a bound hub; the profile role and
    the driver's read-only ``wireguard`` attribute keep a hub recognised
    while ML2 re-binds it (host rewrite by the L3 scheduler), so Neutron's
    code never plugs a veth for it.
    """
    if not port:
        return False
    if port.get(portbindings.VIF_TYPE) == VIF_TYPE_WIREGUARD:
        return True
    profile = port.get(portbindings.PROFILE)
    if isinstance(profile, dict) and profile.get('wg_role') == 'hub':
        return True
    attr = port.get('wireguard')
    return isinstance(attr, dict) and attr.get('role') == 'hub'


def port_id_from_alias(alias):
    """The port id of a link we own (IFLA_IFALIAS), or None."""
    if alias and alias.startswith(ALIAS_PREFIX):
        return alias[len(ALIAS_PREFIX):] or None
    return None


class HubManager(object):
    """Talks to the agent for the router class; remembers pending hubs.

    pending: port_id -> (router_info, port) for hubs a router carries that
    are not attached yet. The extension retries them every few seconds.
    """

    def __init__(self, client=None):
        self.client = client or ctl.ControlClient()
        self._lock = threading.Lock()
        self._pending = {}
        self._attached = {}
        self._reported = set()

    # -- requests ---------------------------------------------------------
    def attach(self, ri, port):
        """Ask the agent to attach; True when done, False when pending."""
        port_id = port['id']
        ifname = ri.get_internal_device_name(port_id)
        cidrs = common_utils.fixed_ip_cidrs(port.get('fixed_ips', []))
        try:
            res = self.client.attach(port_id, ri.ns_name, ifname, cidrs,
                                     port.get('mtu'))
        except (ctl.ControlError, ctl.AgentUnreachable) as e:
            self._add_pending(ri, port, e)
            return False
        self._drop_pending(port_id)
        with self._lock:
            self._attached[port_id] = (ri, port)
        res = res or {}
        msg = ("wireguard: hub port %(port)s is interface %(if)s of router "
               "%(router)s (%(ns)s), addresses %(cidrs)s, MTU %(mtu)s%(cap)s"
               "%(how)s")
        args = {'port': port_id, 'if': ifname, 'router': ri.router_id,
                'ns': ri.ns_name, 'cidrs': cidrs, 'mtu': res.get('mtu'),
                'cap': '',
                'how': '' if res.get('changed', True) else
                ' (already attached)'}
        if res.get('mtu_capped'):
            args['cap'] = (' (capped: network MTU %s > underlay_mtu - 80)' %
                           res.get('network_mtu', port.get('mtu')))
        LOG.info(msg, args)
        return True

    def detach(self, port_id, why):
        """Ask the agent to park the hub in its project namespace.

        True when the agent handled it (parked, or the hub no longer exists:
        the port was deleted first, as `router remove port` does).
        """
        self._drop_pending(port_id)
        with self._lock:
            self._attached.pop(port_id, None)
        try:
            res = self.client.detach(port_id) or {}
        except ctl.ControlError as e:
            LOG.error("wireguard: detach of hub %s (%s) refused: %s",
                      port_id, why, e.message)
            return False
        except ctl.AgentUnreachable as e:
            LOG.error("wireguard: cannot detach hub %s (%s): %s; "
                      "neutron-wireguard-agent re-creates it from its "
                      "repository if it is lost", port_id, why, e)
            return False
        if res.get('known', True):
            LOG.info("wireguard: hub %s detached (%s): now %s in %s%s",
                     port_id, why, res.get('interface'),
                     res.get('namespace') or 'the root namespace',
                     '' if res.get('changed', True) else ' (already there)')
        else:
            LOG.info("wireguard: hub %s (%s) no longer exists in "
                     "neutron-wireguard-agent (port deleted): nothing to "
                     "detach", port_id, why)
        return True

    # -- pending hubs ------------------------------------------------------
    def _add_pending(self, ri, port, err):
        port_id = port['id']
        with self._lock:
            first = port_id not in self._pending
            self._pending[port_id] = (ri, port)
        if first:
            LOG.warning("wireguard: hub port %s of router %s is not attached "
                        "yet (%s); retrying every few seconds", port_id,
                        ri.router_id, err)
        self._explain_once(ri, port, err)

    def _explain_once(self, ri, port, err):
        """Say clearly, once, why a hub cannot be attached here."""
        if port['id'] in self._reported:
            return
        try:
            owned = self.client.owns(port['id']) or {}
        except (ctl.ControlError, ctl.AgentUnreachable):
            return
        if owned.get('owned'):
            return
        self._reported.add(port['id'])
        if port.get(portbindings.HOST_ID) == cfg.CONF.host:
            # bound to this node: its agent has not realized it yet (started
            # late, busy); the retry loop attaches it once it has
            LOG.warning("wireguard: hub port %s of router %s is bound to "
                        "this node but not realized yet by its "
                        "neutron-wireguard-agent; attached once it is (%s)",
                        port['id'], ri.router_id, err)
            return
        LOG.error("wireguard: hub port %s of router %s is not realized by "
                  "the neutron-wireguard-agent of this node (%s); a router "
                  "carrying a hub must be hosted by the L3 agent of the "
                  "hub's node; the hub is attached as soon as it is "
                  "realized here (%s)", port['id'], ri.router_id,
                  port.get(portbindings.HOST_ID), err)

    def _drop_pending(self, port_id):
        with self._lock:
            self._pending.pop(port_id, None)
        self._reported.discard(port_id)

    def forget(self, port_id):
        self._drop_pending(port_id)

    def forget_router(self, router_id):
        with self._lock:
            for table in (self._pending, self._attached):
                for pid in [p for p, (ri, _port) in table.items()
                            if ri.router_id == router_id]:
                    del table[pid]

    def pending(self):
        with self._lock:
            return dict(self._pending)

    def retry_pending(self):
        """Attach every pending hub that can be attached now."""
        done = []
        for port_id, (ri, port) in self.pending().items():
            with ri.hub_lock(port_id):
                if not ri.carries_hub(port_id):
                    self.forget(port_id)
                    continue
                if self.attach(ri, port):
                    done.append(port_id)
        return done

    def verify_attached(self):
        """Re-attach hubs that are no longer in their router namespace.

        A hub can vanish behind the router's back (its namespace or link
        deleted outside Neutron, wireguard-go killed); neutron-wireguard-agent
        re-creates it from its repository (same key, same listen port) in
        its home namespace. The router still has the port cached, so nothing
        in the L3 agent would attach it again: this does. Returns the port
        ids re-attached.
        """
        with self._lock:
            attached = dict(self._attached)
        done = []
        for port_id, (ri, port) in attached.items():
            try:
                where = self.client.owns(port_id) or {}
            except (ctl.ControlError, ctl.AgentUnreachable):
                return done  # agent away: nothing to compare with now
            if not where.get('owned') or not where.get('present'):
                continue  # deleted, or being re-created: next round
            if where.get('namespace') == ri.ns_name:
                continue
            with ri.hub_lock(port_id):
                if not ri.carries_hub(port_id):
                    with self._lock:
                        self._attached.pop(port_id, None)
                    continue
                LOG.warning("wireguard: hub %s of router %s is %s in %s, "
                            "not in %s: attaching it again", port_id,
                            ri.router_id, where.get('interface'),
                            where.get('namespace'), ri.ns_name)
                if self.attach(ri, port):
                    done.append(port_id)
        return done


_manager = None
_manager_lock = threading.Lock()


def manager():
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = HubManager()
        return _manager


def set_manager(mgr):
    """For tests."""
    global _manager
    with _manager_lock:
        _manager = mgr
