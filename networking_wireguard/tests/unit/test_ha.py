"""Highly available hubs on neutron-server (doc/ha.md): the admin-only
profile key, get_hubs to both hosts, reports from either host, the sealed
key stored as ciphertext only, the `wireguard` attribute, and the 409 for a
router interface (Neutron's own ML2 test bases, SQLite)."""

import base64
import json

from neutron_lib.api.definitions import portbindings as pb
from neutron_lib.callbacks import exceptions as cb_exc
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from oslo_config import cfg
import oslo_messaging
from sqlalchemy import text

from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard import rpc
from networking_wireguard.tests.unit import test_mech_driver as base

HOST, HOST2, HOST3 = base.HOST, base.HOST2, 'wg-node-3'
key = base.key
# A sealed box is random-looking bytes; these stand for the agent's.
ENVELOPE = base64.b64encode(bytes(range(7, 139))).decode()
ENVELOPE2 = base64.b64encode(bytes(range(9, 141))).decode()
PRIVATE = base64.b64encode(b'\x42' * 32).decode()   # never sent, never held


def wg_agent(host, enroll_pub=None):
    conf = {c.AGENT_ENROLL_PUB: enroll_pub} if enroll_pub else {}
    from neutron.tests.common import helpers
    return helpers._register_agent({
        'agent_type': c.AGENT_TYPE, 'binary': c.AGENT_BINARY, 'host': host,
        'topic': 'N/A', 'configurations': conf})


class HaTestCase(base.WireGuardDriverTestCase):

    def setUp(self):
        super().setUp()
        wg_agent(HOST, key(21))
        wg_agent(HOST2, key(22))
        wg_agent(HOST3, key(23))

    def ha_hub(self, hosts=(HOST, HOST2), host=HOST, status=201):
        return self._port(status=status, device_owner=c.DEVICE_OWNER_HUB,
                          **{pb.HOST_ID: host,
                             pb.PROFILE: {c.PROFILE_HA:
                                          {'hosts': list(hosts)}}})

    def report(self, hub_id, host, n=9, port=51820, envelope=None,
               state=None):
        return rpc.WireGuardRpcCallback(self.mech).hub_realized(
            n_context.get_admin_context(), hub_id, key(n), port,
            '203.0.113.1:%d' % port, 'wg-' + hub_id[:11], 'tun-x', 1420,
            host=host, ha_envelope=envelope, ha_state=state)

    def refused(self, *args, **kwargs):
        e = self.assertRaises(oslo_messaging.ExpectedException,
                              self.report, *args, **kwargs)
        self.assertIsInstance(e.exc_info[1], n_exc.InvalidInput)
        return str(e.exc_info[1])

    def section(self, host, hub_id):
        hubs = [h for h in self.get_hubs(host)['hubs']
                if h['port_id'] == hub_id]
        return hubs[0] if hubs else None


class TestHaProfile(HaTestCase):

    def test_admin_marks_a_hub_ha(self):
        hub = self.ha_hub()
        rows = db.ha_rows(self.context.session, [hub['id']])[hub['id']]
        self.assertEqual([HOST, HOST2], sorted(rows))
        self.assertEqual({'hosts': [HOST, HOST2], 'primary': None,
                          'active': None,
                          'states': {HOST: None, HOST2: None}},
                         self.show(hub['id'])['wireguard']['ha'])
        # not HA any more: the rows go, the attribute has no ha section
        self.update(hub['id'], **{pb.PROFILE: {}})
        self.assertEqual({}, db.ha_rows(self.context.session, [hub['id']]))
        self.assertNotIn('ha', self.show(hub['id'])['wireguard'])

    def test_bad_ha_profiles_refused(self):
        for hosts, text_ in (([HOST], 'exactly two'),
                             ([HOST, HOST], 'twice'),
                             ([HOST2, HOST3], 'must include'),
                             ([HOST, 'bad host'], 'not a host name')):
            with self.subTest(hosts=hosts):
                self.assert_bad_create('wireguard_ha', **{
                    'device_owner': c.DEVICE_OWNER_HUB, pb.HOST_ID: HOST,
                    pb.PROFILE: {c.PROFILE_HA: {'hosts': hosts}}})
        self.assert_bad_create('not valid for a WireGuard spoke', **{
            'device_owner': c.DEVICE_OWNER_SPOKE,
            pb.PROFILE: {'public_key': key(1),
                         c.PROFILE_HA: {'hosts': [HOST, HOST2]}}})

    def test_non_admin_refused(self):
        # binding:profile is admin-only by policy already; the driver
        # refuses a non-admin context on its own too (plugin call, no API)
        hub = self.hub()
        user = n_context.Context('user', self._tenant_id)
        try:
            self.driver.update_port(user, hub['id'], {'port': {
                pb.PROFILE: {c.PROFILE_HA: {'hosts': [HOST, HOST2]}}}})
        except Exception as e:  # ML2 may wrap it
            inner = getattr(e, 'inner_exceptions', None) or [e]
            self.assertIsInstance(inner[0], n_exc.InvalidInput)
            self.assertIn('only an admin', str(inner[0]))
        else:
            self.fail('a non-admin made a hub highly available')
        self.assertEqual({}, db.ha_rows(self.context.session, [hub['id']]))

    def test_both_hosts_are_told(self):
        self.casts.reset_mock()
        hub = self.ha_hub()
        self.assertEqual(sorted([(HOST, [hub['id']]), (HOST2, [hub['id']])]),
                         sorted(self.cast_calls()))
        self.casts.reset_mock()
        self.spoke([hub['id']])
        self.assertEqual(sorted([(HOST, [hub['id']]), (HOST2, [hub['id']])]),
                         sorted(self.cast_calls()))


class TestHaRpc(HaTestCase):

    def test_get_hubs_to_both_hosts(self):
        hub = self.ha_hub()
        primary, secondary = self.section(HOST, hub['id']), \
            self.section(HOST2, hub['id'])
        self.assertIsNone(self.section(HOST3, hub['id']))
        self.assertEqual({'hosts': [HOST, HOST2], 'role': 'primary',
                          'primary': HOST, 'peer_host': HOST2,
                          'peer_enroll_pub': key(22), 'listen_port': None,
                          'states': {HOST: None, HOST2: None},
                          'peer_sealed': False}, primary['ha'])
        self.assertEqual({'hosts': [HOST, HOST2], 'role': 'secondary',
                          'primary': HOST, 'peer_host': HOST,
                          'peer_enroll_pub': key(21), 'listen_port': None,
                          'states': {HOST: None, HOST2: None},
                          'envelope': None}, secondary['ha'])
        # the rest of the hub is the same for both
        for k in ('fixed_ips', 'mac_address', 'spokes', 'network_id'):
            self.assertEqual(primary[k], secondary[k])
        # pages carry it too
        page = rpc.WireGuardRpcCallback(self.mech).get_hubs(
            n_context.get_admin_context(), host=HOST2,
            page={'after': None, 'max_spokes': 10})
        self.assertEqual('secondary', page['hubs'][0]['ha']['role'])
        # a plain hub has no ha section
        plain = self.hub()
        self.assertNotIn('ha', self.section(HOST, plain['id']))

    def test_reports_from_both_hosts_envelope_only(self):
        hub = self.ha_hub()
        spoke = self.spoke([hub['id']], host='device-host')
        # the secondary cannot report before the primary made the key
        self.assertIn('primary', self.refused(hub['id'], HOST2,
                                              state='standby'))
        self.casts.reset_mock()
        self.assertIsNone(self.report(hub['id'], HOST, port=51999,
                                      envelope=ENVELOPE, state='active'))
        self.assertEqual([(HOST2, [hub['id']])], self.cast_calls())
        secondary = self.section(HOST2, hub['id'])
        self.assertEqual((ENVELOPE, 51999, key(9)),
                         (secondary['ha']['envelope'],
                          secondary['ha']['listen_port'],
                          secondary['public_key']))
        self.assertTrue(self.section(HOST, hub['id'])['ha']['peer_sealed'])
        # the secondary built it with the primary's key and port
        self.assertIsNone(self.report(hub['id'], HOST2, port=51999,
                                      state='standby'))
        attr = self.show(hub['id'])['wireguard']
        self.assertEqual({'hosts': [HOST, HOST2], 'primary': HOST,
                          'active': HOST,
                          'states': {HOST: 'active', HOST2: 'standby'}},
                         attr['ha'])
        # the secondary's report changed nothing of the hub's identity
        self.assertEqual((key(9), 51999), (attr['public_key'],
                                           attr['listen_port']))
        sp = self.show(spoke['id'])
        self.assertEqual(key(9), sp['wireguard']['peers'][0]['public_key'])
        # the same report again: nothing to tell anyone
        self.casts.reset_mock()
        self.report(hub['id'], HOST, port=51999, envelope=ENVELOPE,
                    state='active')
        self.assertEqual([], self.cast_calls())
        # takeover: the secondary reports active; the attribute follows
        self.report(hub['id'], HOST, port=51999, state='fault')
        self.report(hub['id'], HOST2, port=51999, state='active')
        self.assertEqual(HOST2,
                         self.show(hub['id'])['wireguard']['ha']['active'])
        # a new key voids the envelope until the primary seals again
        self.report(hub['id'], HOST, n=10, port=51999)
        self.assertIsNone(self.section(HOST2, hub['id'])['ha']['envelope'])
        self.assertFalse(self.section(HOST, hub['id'])['ha']['peer_sealed'])

    def test_refused_reports(self):
        hub = self.ha_hub()
        self.report(hub['id'], HOST, envelope=ENVELOPE)
        # a third host, even with a live agent
        self.assertIn('not the bound host',
                      self.refused(hub['id'], HOST3, state='active'))
        # the secondary may not seal, nor claim another key or port
        self.assertIn('only the primary',
                      self.refused(hub['id'], HOST2, envelope=ENVELOPE2))
        self.assertIn('primary', self.refused(hub['id'], HOST2, n=11))
        self.assertIn('primary', self.refused(hub['id'], HOST2, port=5))
        # malformed envelope / state; a private key is not an envelope
        for kw in ({'envelope': 'x'}, {'envelope': PRIVATE},
                   {'state': 'master'}):
            with self.subTest(kw=kw):
                self.assertIn('ha_', self.refused(hub['id'], HOST, **kw))
        self.assertEqual(ENVELOPE,
                         self.section(HOST2, hub['id'])['ha']['envelope'])
        # HA arguments for a hub that is not HA
        plain = self.hub()
        self.assertIn('not an HA host',
                      self.refused(plain['id'], HOST, state='active'))
        # no live agent on the secondary: refused
        from neutron.tests.common import helpers
        agents = directory.get_plugin().get_agents(
            self.context, filters={'host': [HOST2]})
        helpers.kill_agent(agents[0]['id'])
        self.assertIn('no live', self.refused(hub['id'], HOST2,
                                              state='standby'))

    def test_no_private_key_anywhere(self):
        """Neutron holds the envelope and public data only: the private
        key (which the agent never sends) appears in no table."""
        hub = self.ha_hub()
        self.report(hub['id'], HOST, envelope=ENVELOPE, state='active')
        self.report(hub['id'], HOST2, state='standby')
        raw = base64.b64decode(PRIVATE)
        with db_api.CONTEXT_READER.using(self.context):
            session = self.context.session
            dump = []
            for table in ('wireguard_ports', 'wireguard_ha_hosts',
                          'ml2_port_bindings', 'ports', 'agents'):
                for r in session.execute(text('SELECT * FROM %s' % table)):
                    dump.append(json.dumps([str(x) for x in r]))
        blob = '\n'.join(dump)
        self.assertIn(ENVELOPE, blob)         # the ciphertext is there
        self.assertNotIn(PRIVATE, blob)
        self.assertNotIn(raw.hex(), blob)
        self.assertNotIn('private', blob.lower())
        # the envelope is not shown to API users at all
        self.assertNotIn(ENVELOPE, json.dumps(self.show(hub['id'])))


class TestHaRouter(HaTestCase):

    def test_router_add_refused_409(self):
        hub = self.ha_hub()
        self.report(hub['id'], HOST)
        l3 = directory.get_plugin(plugin_constants.L3)
        router = l3.create_router(self.context, {'router': {
            'name': 'r', 'admin_state_up': True,
            'tenant_id': self._tenant_id}})
        e = self.assertRaises(cb_exc.CallbackFailure,
                              l3.add_router_interface, self.context,
                              router['id'], {'port_id': hub['id']})
        # the API unwraps the callback's one error: 409 Conflict
        (inner,) = e.inner_exceptions
        self.assertIsInstance(inner, n_exc.Conflict)
        self.assertIn('highly available', str(inner))
        port = self.show(hub['id'])
        self.assertEqual(c.DEVICE_OWNER_HUB, port['device_owner'])
        self.assertEqual('', port['device_id'])


class TestHaOvn(HaTestCase):

    def test_ha_hub_refused_409_with_ovn(self):
        cfg.CONF.set_override('mechanism_drivers',
                              [c.MECH_DRIVER_NAME, 'ovn'], group='ml2')
        body = self.ha_hub(status=409)
        self.assertIn('not supported with ML2/OVN', json.dumps(body))
        self.assertEqual([], self.get_hubs(HOST)['hubs'])
        self.assertEqual([], self.get_hubs(HOST2)['hubs'])
        # a hub without the marking is still made, and marking it is refused
        hub = self.hub()
        self.update(hub['id'], status=409,
                    **{pb.PROFILE: {c.PROFILE_HA: {'hosts': [HOST, HOST2]}}})
        self.assertEqual([], self.get_hubs(HOST2)['hubs'])

    def test_ha_hub_made_without_ovn(self):
        cfg.CONF.set_override('mechanism_drivers',
                              [c.MECH_DRIVER_NAME, 'openvswitch'],
                              group='ml2')
        hub = self.ha_hub()
        self.assertEqual(1, len(self.get_hubs(HOST2)['hubs']))
        self.assertEqual(hub['id'], self.get_hubs(HOST2)['hubs'][0]['port_id'])


class TestHaDeadHost(HaTestCase):
    """hub_status.py with HA hubs: a crashed node cannot report, so its
    `active` becomes `fault`, and a hub the other node serves stays ACTIVE."""

    def setUp(self):
        super().setUp()
        from networking_wireguard import hub_status
        self.check = hub_status.HubStatusCheck()
        self.ctx = n_context.get_admin_context()

    def agent_id(self, host):
        plugin = directory.get_plugin()
        return plugin.get_agents(self.ctx, filters={
            'agent_type': [c.AGENT_TYPE], 'host': [host]})[0]['id']

    def heartbeat(self, host, hours_ago):
        import datetime
        from neutron.tests.common import helpers
        from oslo_utils import timeutils
        helpers.FakePlugin().update_agent(self.ctx, self.agent_id(host), {
            'agent': {'heartbeat_timestamp': timeutils.utcnow() -
                      datetime.timedelta(hours=hours_ago)}})

    def dies(self, host):
        self.heartbeat(host, 1)

    def ha_active_hub(self):
        hub = self.ha_hub()
        self.report(hub['id'], HOST, port=51999, envelope=ENVELOPE,
                    state='active')
        self.report(hub['id'], HOST2, port=51999, state='standby')
        directory.get_plugin().update_port_status(self.ctx, hub['id'],
                                                  'ACTIVE', HOST)
        return hub['id']

    def ha(self, hub_id):
        port = self.show(hub_id)
        return port['status'], port['wireguard']['ha']

    def test_primary_crashes_secondary_took_over(self):
        hub = self.ha_active_hub()
        self.report(hub, HOST2, port=51999, state='active')  # took over
        self.assertIsNone(self.ha(hub)[1]['active'])  # both say active
        self.dies(HOST)
        self.check.check(self.ctx)
        status, ha = self.ha(hub)
        self.assertEqual('ACTIVE', status)  # net2 serves it
        self.assertEqual(({HOST: 'fault', HOST2: 'active'}, HOST2),
                         (ha['states'], ha['active']))
        # back: the primary reports standby itself
        self.heartbeat(HOST, 0)
        self.report(hub, HOST, port=51999, state='standby')
        self.assertEqual({HOST: 'standby', HOST2: 'active'},
                         self.ha(hub)[1]['states'])

    def test_primary_crashes_nobody_took_over(self):
        hub = self.ha_active_hub()
        self.dies(HOST)
        self.check.check(self.ctx)
        status, ha = self.ha(hub)
        self.assertEqual('DOWN', status)
        self.assertEqual(({HOST: 'fault', HOST2: 'standby'}, None),
                         (ha['states'], ha['active']))

    def test_secondary_crashes(self):
        hub = self.ha_active_hub()
        self.dies(HOST2)
        self.check.check(self.ctx)
        status, ha = self.ha(hub)
        self.assertEqual('ACTIVE', status)
        self.assertEqual({HOST: 'active', HOST2: 'standby'}, ha['states'])
