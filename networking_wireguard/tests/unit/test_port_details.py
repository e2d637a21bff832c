"""Hub details reach ports through Neutron's objects and events (revision
bump + PORT AFTER_UPDATE, no rebind), and listing ordinary ports costs the
driver no query."""

from unittest import mock

from neutron_lib.api.definitions import portbindings as pb
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import context as n_context
from neutron_lib.plugins import directory
from sqlalchemy.engine import Engine
from sqlalchemy import event

from networking_wireguard import constants as c
from networking_wireguard.ml2 import port_details
from networking_wireguard.tests.unit import test_mech_driver as base


class _Updates(object):
    """Records PORT AFTER_UPDATE payloads."""

    def __init__(self):
        self.payloads = []

    def __call__(self, resource, event_type, trigger, payload=None):
        self.payloads.append(payload)

    def of(self, port_id):
        return [p for p in self.payloads if p.resource_id == port_id]


class TestHubDetailsThroughNeutron(base.WireGuardDriverTestCase):

    def setUp(self):
        super().setUp()
        self.updates = _Updates()
        registry.subscribe(self.updates, resources.PORT, events.AFTER_UPDATE)
        base.wg_agent(base.HOST)

    def test_watcher_sees_revision_bump_and_update(self):
        hub = self.hub()
        spoke = self.spoke([hub['id']], host='device-1')
        before_hub = self.show(hub['id'])
        before_spoke = self.show(spoke['id'])
        self.updates.payloads.clear()
        self.casts.reset_mock()
        self.assertTrue(self.realize(hub['id']))
        after = self.show(hub['id'])
        # a client that polls revision_number sees the change ...
        self.assertGreater(after['revision_number'],
                           before_hub['revision_number'])
        self.assertEqual(base.key(9), after[pb.VIF_DETAILS]['public_key'])
        self.assertEqual(base.key(9), after[pb.PROFILE]['public_key'])
        # ... with no rebind: same host, same vif_type, no cast to the agent
        self.assertEqual((base.HOST, c.VIF_TYPE_WIREGUARD),
                         (after[pb.HOST_ID], after[pb.VIF_TYPE]))
        self.assertEqual([], self.cast_calls())
        # ... and every port-update listener heard it, before and after
        (hub_update,) = self.updates.of(hub['id'])
        self.assertIsNone(
            hub_update.states[0][pb.VIF_DETAILS]['public_key'])
        self.assertEqual(base.key(9),
                         hub_update.latest_state[pb.VIF_DETAILS]['public_key'])
        self.assertEqual(after['revision_number'],
                         hub_update.latest_state['revision_number'])
        # the spoke's details name the hub now: its revision moved too
        spoke_after = self.show(spoke['id'])
        self.assertGreater(spoke_after['revision_number'],
                           before_spoke['revision_number'])
        self.assertEqual(base.key(9), spoke_after[pb.VIF_DETAILS]['peers'][0]
                         ['public_key'])
        self.assertEqual(1, len(self.updates.of(spoke['id'])))

    def test_same_report_twice_changes_nothing(self):
        hub = self.hub()
        self.realize(hub['id'])
        rev = self.show(hub['id'])['revision_number']
        self.updates.payloads.clear()
        self.assertTrue(self.realize(hub['id']))
        self.assertEqual(rev, self.show(hub['id'])['revision_number'])
        self.assertEqual([], self.updates.payloads)

    def test_report_racing_the_first_binding_is_healed(self):
        # hub_realized's transaction does not see the binding ML2 is
        # committing (it sees no active binding); that commit stores the
        # details computed before the report. After its own commit the
        # report heals them.
        hub = self.hub()
        self.assertIsNone(self.show(hub['id'])[pb.VIF_DETAILS]['public_key'])
        real = port_details.active_binding
        calls = []

        def not_yet_committed(context, port_id):
            # the report's own transaction reads the binding once
            calls.append(port_id)
            return None if len(calls) <= 1 else real(context, port_id)

        self.updates.payloads.clear()
        with mock.patch.object(port_details, 'active_binding',
                               side_effect=not_yet_committed):
            self.assertTrue(self.realize(hub['id']))
        after = self.show(hub['id'])
        self.assertEqual(base.key(9), after[pb.VIF_DETAILS]['public_key'])
        # listeners heard the healed details last
        self.assertEqual(base.key(9), self.updates.of(hub['id'])[-1]
                         .latest_state[pb.VIF_DETAILS]['public_key'])

    def test_report_for_a_deleted_port_is_ignored(self):
        hub = self.hub()
        self._delete('ports', hub['id'])
        self.updates.payloads.clear()
        self.assertFalse(self.realize(hub['id']))
        self.assertEqual([], self.updates.of(hub['id']))


class TestListingCost(base.WireGuardDriverTestCase):

    def _list(self):
        statements = []

        def count(*args, **kwargs):
            statements.append(args[2])

        ctx = n_context.get_admin_context()
        event.listen(Engine, 'before_cursor_execute', count)
        try:
            ports = directory.get_plugin().get_ports(ctx)
        finally:
            event.remove(Engine, 'before_cursor_execute', count)
        return ports, statements

    def test_ordinary_ports_cost_no_query(self):
        self._port()
        ports, one = self._list()
        self.assertEqual([None], [p['wireguard'] for p in ports])
        for _ in range(4):
            self._port()
        ports, five = self._list()
        self.assertEqual([None] * 5, [p['wireguard'] for p in ports])
        # the row comes in Neutron's own port query, not one per port
        self.assertEqual(len(one), len(five), five)
        self.assertFalse([s for s in five if 'FROM wireguard_ports' in s])
        self.assertTrue([s for s in five if 'wireguard_ports' in s])

    def test_attribute_follows_create_and_delete(self):
        hub = self.hub()
        self.assertEqual('hub', hub['wireguard']['role'])
        spoke = self.spoke([hub['id']])
        self.assertEqual('spoke', spoke['wireguard']['role'])
        ports, _ = self._list()
        roles = {p['id']: (p['wireguard'] or {}).get('role') for p in ports}
        self.assertEqual({hub['id']: 'hub', spoke['id']: 'spoke'}, roles)
        self._delete('ports', spoke['id'])
        ports, _ = self._list()
        self.assertEqual([hub['id']], [p['id'] for p in ports])
        self.assertEqual([], ports[0]['wireguard']['peers'])
