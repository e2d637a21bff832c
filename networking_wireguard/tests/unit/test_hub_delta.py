"""get_hubs 1.3: deltas against a snapshot, and every fallback (hub_delta)."""

import collections
import copy

from neutron.tests import base
from neutron_lib.api.definitions import portbindings as pb
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
import oslo_messaging

from networking_wireguard import hub_delta
from networking_wireguard import hub_digest
from networking_wireguard import rpc
from networking_wireguard.tests.unit import test_hub_digest as thd
from networking_wireguard.tests.unit import test_mech_driver as tmd

HUB = thd.HUB
HID = HUB['port_id']


def spoke(n, **kw):
    s = {'port_id': '%08d-0000-4000-8000-%012d' % (n, n),
         'public_key': ('%03d' % n) + 'A' * 40 + '=',
         'allowed_ips': ['10.99.%d.%d/32' % (n // 250, n % 250 + 2)],
         'endpoint': None, 'persistent_keepalive': 25}
    s.update(kw)
    return s


def apply(cached, answer):
    """What the agent does with a delta: the cached spokes minus the removed
    and the changed, plus the changed; the hub fields from the answer."""
    if 'base' not in answer:
        return answer
    gone = set(answer['removed']) | {s['port_id'] for s in answer['spokes']}
    out = {k: v for k, v in answer.items() if k not in ('base', 'removed')}
    out['spokes'] = [s for s in cached['spokes']
                     if s['port_id'] not in gone] + answer['spokes']
    return out


class TestDeltaAnswer(base.BaseTestCase):

    def setUp(self):
        super(TestDeltaAnswer, self).setUp()
        self.snaps = hub_delta.Snapshots()

    def ask(self, hub, digests, deltas=(HID,)):
        return hub_delta.answer(copy.deepcopy(hub), digests, set(deltas),
                                self.snaps)

    def test_first_answer_full_then_delta(self):
        hub = copy.deepcopy(HUB)
        hub['spokes'] = [spoke(i) for i in range(50)]
        first = self.ask(hub, {})
        self.assertNotIn('base', first)
        self.assertEqual(50, len(first['spokes']))
        d1 = first['digest']
        # nothing changed: unchanged, as 1.2
        self.assertEqual({'port_id': HID, 'digest': d1, 'unchanged': True},
                         self.ask(hub, {HID: d1}))
        # one spoke moves, one is added, one removed
        hub['spokes'][7]['endpoint'] = '198.51.100.9:51820'
        hub['spokes'].append(spoke(99))
        gone = hub['spokes'].pop(3)['port_id']
        hub['mtu'] = 1400
        delta = self.ask(hub, {HID: d1})
        self.assertEqual(d1, delta['base'])
        self.assertEqual(hub_digest.digest(hub), delta['digest'])
        self.assertEqual(sorted([spoke(7)['port_id'], spoke(99)['port_id']]),
                         sorted(s['port_id'] for s in delta['spokes']))
        self.assertEqual([gone], delta['removed'])
        self.assertEqual(1400, delta['mtu'])  # hub fields always in full
        rebuilt = apply(first, delta)
        self.assertEqual(delta['digest'], hub_digest.digest(rebuilt))
        # and the next delta is against the new answer
        hub['spokes'][0]['persistent_keepalive'] = None
        again = self.ask(hub, {HID: delta['digest']})
        self.assertEqual(delta['digest'], again['base'])
        self.assertEqual([spoke(0)['port_id']],
                         [s['port_id'] for s in again['spokes']])
        self.assertEqual([], again['removed'])
        self.assertEqual(again['digest'],
                         hub_digest.digest(apply(rebuilt, again)))

    def test_fallbacks_to_full(self):
        hub = copy.deepcopy(HUB)
        d1 = self.ask(hub, {})['digest']
        hub['spokes'].pop()
        # the hub is not named in deltas (the agent keeps no copy): full
        full = self.ask(hub, {HID: d1}, deltas=())
        self.assertNotIn('base', full)
        self.assertEqual(1, len(full['spokes']))
        # a base this process never answered (restart, other worker): full
        other = self.ask(hub, {HID: 'f' * 64})
        self.assertNotIn('base', other)
        self.assertEqual(1, len(other['spokes']))
        # a restarted server (empty snapshots): full
        self.snaps = hub_delta.Snapshots()
        self.assertNotIn('base', self.ask(hub, {HID: d1}))

    def test_snapshots_bounded(self):
        snaps = hub_delta.Snapshots(max_spokes=10, per_hub=2)
        for i in range(3):
            snaps.put('h1', 'd%d' % i, {'s': b'x'})
        self.assertIsNone(snaps.get('h1', 'd0'))  # per hub: newest 2
        self.assertIsNotNone(snaps.get('h1', 'd2'))
        snaps.put('h2', 'a', {str(i): b'x' for i in range(9)})
        self.assertIsNone(snaps.get('h1', 'd1'))  # LRU past 10 spokes
        snaps.put('h3', 'big', {str(i): b'x' for i in range(11)})
        self.assertIsNone(snaps.get('h3', 'big'))  # never held
        self.assertLessEqual(snaps._spokes, 10)

    def test_put_is_not_quadratic(self):
        class Counting(collections.OrderedDict):
            seen = 0

            def __iter__(self):
                for k in super(Counting, self).__iter__():
                    Counting.seen += 1
                    yield k

        snaps = hub_delta.Snapshots(max_spokes=3000, per_hub=2)
        snaps._lru = Counting()
        n = 5000
        for i in range(n):  # a full sync of many hubs, then a second one
            snaps.put('hub-%d' % i, 'd1', {'s': b'x'})
            snaps.put('hub-%d' % i, 'd2', {'s': b'x'})
            snaps.put('hub-%d' % i, 'd3', {'s': b'x'})
        # each put looks at its own hub and at what it evicts, never at
        # every key held (that was 10^7 steps here)
        self.assertLessEqual(Counting.seen, 3 * n)
        self.assertLessEqual(snaps.steps, 2 * 3 * n)
        self.assertEqual(3000, len(snaps))
        self.assertIsNotNone(snaps.get('hub-%d' % (n - 1), 'd3'))
        self.assertIsNone(snaps.get('hub-%d' % (n - 1), 'd1'))

    def test_small_hub_not_kept(self):
        hub = copy.deepcopy(HUB)  # 2 spokes
        snaps = hub_delta.Snapshots()
        full = hub_delta.answer(copy.deepcopy(hub), {}, set(), snaps,
                                delta_min=3)
        self.assertEqual(0, len(snaps))
        self.assertEqual(2, len(full['spokes']))
        self.assertEqual(hub_digest.digest(hub), full['digest'])
        # at the caller's floor, or named in deltas: kept
        hub_delta.answer(copy.deepcopy(hub), {}, set(), snaps, delta_min=2)
        self.assertEqual(1, len(snaps))
        snaps = hub_delta.Snapshots()
        hub_delta.answer(copy.deepcopy(hub), {}, {HID}, snaps, delta_min=3)
        self.assertEqual(1, len(snaps))
        for bad in (0, -1, True, '5', 10 ** 7):
            self.assertRaises(n_exc.InvalidInput,
                              hub_delta.check_delta_min, bad)
        self.assertEqual(hub_delta.DELTA_MIN_SPOKES,
                         hub_delta.check_delta_min(None))

    def test_check_deltas(self):
        self.assertIsNone(hub_delta.check_deltas(None, {}))
        self.assertEqual({'a'}, hub_delta.check_deltas(['a'], {}))
        for bad in ('a', {'a': 'b'}, [5], [''], ['x' * 65]):
            self.assertRaises(n_exc.InvalidInput,
                              hub_delta.check_deltas, bad, {})
        # deltas without digests: refused
        self.assertRaises(n_exc.InvalidInput,
                          hub_delta.check_deltas, ['a'], None)


class TestDeltaGetHubs(tmd.WireGuardDriverTestCase):

    def setUp(self):
        super(TestDeltaGetHubs, self).setUp()
        hub_delta.SNAPSHOTS = hub_delta.Snapshots()

    def page(self, digests, deltas=None):
        # the agent's floor: these hubs have a few spokes
        kw = {} if deltas is None else {'deltas': deltas, 'delta_min': 1}
        cb = rpc.WireGuardRpcCallback(self.mech)
        return cb.get_hubs(n_context.get_admin_context(), host=tmd.HOST,
                           page={'after': None, 'max_spokes': 1000},
                           digests=digests, **kw)['hubs']

    def test_spoke_change_travels_as_delta(self):
        tmd.wg_agent(tmd.HOST)
        hub = self.hub()
        spokes = [self.spoke([hub['id']], n=20 + i) for i in range(4)]
        first = self.page({}, deltas=[])
        self.assertEqual(4, len(first[0]['spokes']))
        d = first[0]['digest']
        self.update(spokes[2]['id'], **{pb.PROFILE: {
            'public_key': tmd.key(22), 'peers': [hub['id']],
            'endpoint': '198.51.100.9:51820'}})
        delta = self.page({hub['id']: d}, deltas=[hub['id']])[0]
        self.assertEqual(d, delta['base'])
        self.assertEqual([spokes[2]['id']],
                         [s['port_id'] for s in delta['spokes']])
        self.assertEqual('198.51.100.9:51820', delta['spokes'][0]['endpoint'])
        self.assertEqual([], delta['removed'])
        self._delete('ports', spokes[0]['id'])
        gone = self.page({hub['id']: delta['digest']}, deltas=[hub['id']])[0]
        self.assertEqual([spokes[0]['id']], gone['removed'])
        self.assertEqual([], gone['spokes'])
        # the delta rebuilt by the agent is exactly the full answer
        full = self.page({}, deltas=[])[0]
        self.assertEqual(full['digest'], hub_digest.digest(
            apply(apply(first[0], delta), gone)))

    def test_old_callers_unchanged(self):
        tmd.wg_agent(tmd.HOST)
        hub = self.hub()
        self.spoke([hub['id']], n=20)
        first = self.page({}, deltas=[])
        d = first[0]['digest']
        self.spoke([hub['id']], n=21)
        # a 1.2 caller never gets a delta, even with a snapshot held
        conditional = self.page({hub['id']: d})[0]
        self.assertNotIn('base', conditional)
        self.assertEqual(2, len(conditional['spokes']))

    def test_bad_deltas(self):
        err = self.assertRaises(oslo_messaging.ExpectedException,
                                self.page, {}, 'x')
        self.assertIsInstance(err.exc_info[1], n_exc.InvalidInput)
