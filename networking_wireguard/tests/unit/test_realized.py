"""hub_realized on neutron-server (ml2/realized.py): one transaction, one
full read of the port, no binding write while ML2 is binding the hub."""

from unittest import mock

from neutron_lib.api.definitions import portbindings as pb
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from sqlalchemy.engine import Engine
from sqlalchemy import event

from networking_wireguard import constants as c
from networking_wireguard.ml2 import mech_driver
from networking_wireguard.ml2 import port_details
from networking_wireguard.tests.unit import test_mech_driver as base
from networking_wireguard.tests.unit import test_port_details as pd_tests

# What a report changes in the port as the API shows it.
_CHANGED = ('revision_number', pb.VIF_DETAILS, pb.PROFILE, 'wireguard')


class _Statements(object):
    def __init__(self):
        self.sql = []

    def __call__(self, *args, **kwargs):
        self.sql.append(args[2])

    def __enter__(self):
        event.listen(Engine, 'before_cursor_execute', self)
        return self

    def __exit__(self, *exc):
        event.remove(Engine, 'before_cursor_execute', self)

    def writes(self):
        return [s for s in self.sql
                if s.split(None, 1)[0] in ('INSERT', 'UPDATE', 'DELETE')]


class TestHubRealized(base.WireGuardDriverTestCase):

    def setUp(self):
        super().setUp()
        self.updates = pd_tests._Updates()
        registry.subscribe(self.updates, resources.PORT, events.AFTER_UPDATE)

    def test_notification_states_are_the_port_before_and_after(self):
        base.wg_agent(base.HOST)
        hub = self.hub()
        before = self.show(hub['id'])
        self.updates.payloads.clear()
        self.realize(hub['id'])
        after = self.show(hub['id'])
        (update,) = self.updates.of(hub['id'])
        old, new = update.states
        self.assertEqual(base.key(9), after['wireguard']['public_key'])
        for attr in _CHANGED:
            self.assertNotEqual(before[attr], after[attr], attr)
        # every attribute the API shows, before and after, as the API
        # showed it (the "before" is derived, not read)
        for attr in before:
            self.assertEqual(before[attr], old[attr], attr)
            self.assertEqual(after[attr], new[attr], attr)

    def test_one_full_read_of_the_port_and_none_for_a_repeat(self):
        base.wg_agent(base.HOST)
        hub = self.hub()
        with mock.patch.object(port_details, 'port_dict',
                               wraps=port_details.port_dict) as reads:
            with _Statements() as first:
                self.realize(hub['id'])
            self.assertEqual(1, reads.call_count)
            reads.reset_mock()
            with _Statements() as again:
                self.realize(hub['id'])
            self.assertEqual(0, reads.call_count)
        self.assertTrue(first.writes())
        self.assertEqual([], again.writes())
        self.assertLess(len(again.sql), len(first.sql))

    def test_report_during_the_first_binding_causes_no_second_bind(self):
        # The agent reports while ML2 is binding the hub (after bind_port,
        # before ML2 commits the binding). A write to the binding then
        # would fail ML2's commit and make it bind the port again.
        base.wg_agent(base.HOST)
        cls = mech_driver.WireGuardMechanismDriver
        real = cls.try_to_bind_segment_for_agent
        attempts = []

        def bind_then_report(drv, context, segment, agent):
            attempts.append(context.current['id'])
            bound = real(drv, context, segment, agent)
            if len(attempts) == 1:
                self.assertTrue(self.realize(context.current['id']))
            return bound

        with mock.patch.object(cls, 'try_to_bind_segment_for_agent',
                               autospec=True, side_effect=bind_then_report):
            hub = self.hub()
        self.assertEqual(1, len(attempts))
        after = self.show(hub['id'])
        self.assertEqual(c.VIF_TYPE_WIREGUARD, after[pb.VIF_TYPE])
        # ML2's commit carried the details from before the report; its
        # postcommit brought them and the profile mirror in line
        self.assertEqual((base.key(9), 51820),
                         (after[pb.VIF_DETAILS]['public_key'],
                          after[pb.VIF_DETAILS]['listen_port']))
        self.assertEqual(base.key(9), after[pb.PROFILE]['public_key'])
        self.assertEqual('203.0.113.1:51820', after[pb.PROFILE]['endpoint'])

    def test_report_for_an_unbound_hub_waits_for_its_binding(self):
        hub = self.hub()            # no live agent: binding failed
        self.assertEqual(pb.VIF_TYPE_BINDING_FAILED,
                         self.show(hub['id'])[pb.VIF_TYPE])
        self.assertTrue(self.realize(hub['id']))
        now = self.show(hub['id'])
        self.assertEqual(base.key(9), now['wireguard']['public_key'])
        self.assertNotIn('public_key', now[pb.PROFILE])
        base.wg_agent(base.HOST)
        self.update(hub['id'], name='rebind')   # ML2 binds it now
        after = self.show(hub['id'])
        self.assertEqual(c.VIF_TYPE_WIREGUARD, after[pb.VIF_TYPE])
        self.assertEqual(base.key(9), after[pb.VIF_DETAILS]['public_key'])
        self.assertEqual(base.key(9), after[pb.PROFILE]['public_key'])

    def test_profile_mirror_off(self):
        self.config(write_hub_profile=False, group='ml2_wireguard')
        base.wg_agent(base.HOST)
        hub = self.hub()
        self.realize(hub['id'])
        after = self.show(hub['id'])
        self.assertEqual(base.key(9), after[pb.VIF_DETAILS]['public_key'])
        self.assertNotIn('public_key', after[pb.PROFILE])
