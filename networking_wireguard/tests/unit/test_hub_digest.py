"""get_hubs 1.2: a hub's digest, and the conditional answer (hub_digest)."""

import copy

from neutron.tests import base
from neutron_lib.api.definitions import portbindings as pb
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
import oslo_messaging

from networking_wireguard import hub_digest
from networking_wireguard import rpc
from networking_wireguard.tests.unit import test_mech_driver as tmd

HUB = {
    'port_id': 'aaaaaaaa-0000-4000-8000-000000000001',
    'project_id': 'p1', 'network_id': 'n1', 'admin_state_up': True,
    'fixed_ips': ['10.99.0.1/24'], 'mtu': 1450, 'mac_address': None,
    'gateways': [], 'root_namespace': False, 'public_key': 'K' * 43 + '=',
    'listen_port': 51820, 'router_id': None,
    'spokes': [
        {'port_id': '11111111-0000-4000-8000-000000000011',
         'public_key': 'A' * 43 + '=', 'allowed_ips': ['10.99.0.5/32'],
         'endpoint': None, 'persistent_keepalive': 25},
        {'port_id': '22222222-0000-4000-8000-000000000022',
         'public_key': 'B' * 43 + '=', 'allowed_ips': ['10.99.0.6/32'],
         'endpoint': '198.51.100.7:51820', 'persistent_keepalive': None},
    ]}


class TestDigest(base.BaseTestCase):

    def test_stable(self):
        d = hub_digest.digest(HUB)
        self.assertEqual(64, len(d))
        self.assertEqual(d, hub_digest.digest(copy.deepcopy(HUB)))
        swapped = copy.deepcopy(HUB)
        swapped['spokes'].reverse()
        self.assertEqual(d, hub_digest.digest(swapped))
        # what the answer carries is not part of what it digests
        self.assertEqual(d, hub_digest.answer(HUB, {})['digest'] and
                         hub_digest.digest(hub_digest.answer(HUB, {})))

    def test_any_field_changes_it(self):
        d = hub_digest.digest(HUB)
        seen = {d}
        for i in range(len(HUB['spokes'])):
            for field in HUB['spokes'][i]:
                other = copy.deepcopy(HUB)
                other['spokes'][i][field] = 'changed'
                seen.add(hub_digest.digest(other))
        for field in HUB:
            if field == 'spokes':
                continue
            other = copy.deepcopy(HUB)
            other[field] = 'changed'
            seen.add(hub_digest.digest(other))
        gone = copy.deepcopy(HUB)
        gone['spokes'].pop()
        seen.add(hub_digest.digest(gone))
        fields = sum(len(s) for s in HUB['spokes']) + len(HUB) - 1
        self.assertEqual(1 + fields + 1, len(seen))

    def test_answer(self):
        d = hub_digest.digest(HUB)
        self.assertEqual({'port_id': HUB['port_id'], 'digest': d,
                          'unchanged': True},
                         hub_digest.answer(HUB, {HUB['port_id']: d}))
        full = hub_digest.answer(HUB, {HUB['port_id']: 'f' * 64})
        self.assertEqual(HUB['spokes'], full['spokes'])
        self.assertEqual(d, full['digest'])
        self.assertNotIn('digest', HUB)  # the caller's dict is not changed

    def test_check_digests(self):
        self.assertIsNone(hub_digest.check_digests(None))
        self.assertEqual({'a': 'b'}, hub_digest.check_digests({'a': 'b'}))
        for bad in ('x', [], {'a': 5}, {'a': ''}, {'a': 'x' * 65},
                    {'': 'b'}, {5: 'b'}):
            self.assertRaises(n_exc.InvalidInput,
                              hub_digest.check_digests, bad)


class TestConditionalGetHubs(tmd.WireGuardDriverTestCase):

    def page(self, digests):
        cb = rpc.WireGuardRpcCallback(self.mech)
        return cb.get_hubs(n_context.get_admin_context(), host=tmd.HOST,
                           page={'after': None, 'max_spokes': 1000},
                           digests=digests)['hubs']

    def test_unchanged_then_changed(self):
        tmd.wg_agent(tmd.HOST)
        hub = self.hub()
        spoke = self.spoke([hub['id']], n=20)
        first = self.page({})
        self.assertEqual(1, len(first[0]['spokes']))
        d = first[0]['digest']
        # the agent names the digest it applied: no spokes come back
        self.assertEqual([{'port_id': hub['id'], 'digest': d,
                           'unchanged': True}],
                         self.page({hub['id']: d}))
        # 1.1 callers get the answer as before, without a digest
        old = rpc.WireGuardRpcCallback(self.mech).get_hubs(
            n_context.get_admin_context(), host=tmd.HOST,
            page={'after': None, 'max_spokes': 1000})['hubs']
        self.assertNotIn('digest', old[0])
        self.assertEqual(first[0]['spokes'], old[0]['spokes'])
        # a spoke that moves: the hub is answered in full, new digest
        self.update(spoke['id'], **{pb.PROFILE: {
            'public_key': tmd.key(20), 'peers': [hub['id']],
            'endpoint': '198.51.100.9:51820'}})
        again = self.page({hub['id']: d})
        self.assertNotIn('unchanged', again[0])
        self.assertNotEqual(d, again[0]['digest'])
        self.assertEqual('198.51.100.9:51820',
                         again[0]['spokes'][0]['endpoint'])

    def test_bad_digests(self):
        err = self.assertRaises(oslo_messaging.ExpectedException,
                                self.page, {'x': 5})
        self.assertIsInstance(err.exc_info[1], n_exc.InvalidInput)
