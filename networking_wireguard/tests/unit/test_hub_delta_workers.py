"""get_hubs 1.3 with several RPC workers.

neutron-server's RPC workers consume one queue: an agent's calls land on
whichever worker RabbitMQ hands them to, and each worker holds its own
snapshots (hub_delta.Snapshots). A delta is answered only by a worker that
answered the base itself; any other worker answers in full. These tests run
an agent against two workers, in strict alternation and in a random order,
over random spoke changes, and check after every answer that what the agent
rebuilds is exactly the hub (its spokes and its digest), and how many
answers were deltas.
"""

import copy
import random

from neutron.tests import base

from networking_wireguard import hub_delta
from networking_wireguard import hub_digest
from networking_wireguard.tests.unit import test_hub_delta as thd

HID = thd.HID


class Agent(object):
    """The agent's side: the last answer applied, rebuilt from deltas."""

    def __init__(self):
        self.kept = None
        self.kinds = []  # per call: full, delta or unchanged

    def ask(self, worker, hub):
        digests = {HID: self.kept['digest']} if self.kept else {}
        answer = hub_delta.answer(copy.deepcopy(hub), digests, {HID},
                                  worker, delta_min=1)
        if answer.get('unchanged'):
            self.kinds.append('unchanged')
            return
        if 'base' in answer:
            if answer['base'] != self.kept['digest']:
                raise AssertionError('delta against a base not kept')
            self.kinds.append('delta')
            self.kept = thd.apply(self.kept, answer)
        else:
            self.kinds.append('full')
            self.kept = answer

    def count(self, kind):
        return self.kinds.count(kind)


def change(rng, hub, serial):
    spokes = hub['spokes']
    what = rng.choice(('move', 'add', 'remove', 'none'))
    if what == 'move' and spokes:
        rng.choice(spokes)['endpoint'] = '198.51.100.%d:%d' % (
            rng.randrange(1, 250), rng.randrange(1024, 65535))
    elif what == 'add' or not spokes:
        spokes.append(thd.spoke(serial))
    elif what == 'remove':
        spokes.pop(rng.randrange(len(spokes)))


class TestTwoWorkers(base.BaseTestCase):

    def run_agent(self, pick, steps=200, seed=7):
        rng = random.Random(seed)
        workers = [hub_delta.Snapshots(), hub_delta.Snapshots()]
        hub = copy.deepcopy(thd.HUB)
        hub['spokes'] = [thd.spoke(i) for i in range(40)]
        agent = Agent()
        source = None  # the worker whose answer the agent keeps
        for step in range(steps):
            change(rng, hub, 1000 + step)
            w = pick(rng, step)
            agent.ask(workers[w], hub)
            # a delta exactly when this worker gave the kept answer
            if agent.kinds[-1] != 'unchanged':
                self.assertEqual('delta' if w == source else 'full',
                                 agent.kinds[-1], 'step %d' % step)
                source = w
            want = {s['port_id']: s for s in hub['spokes']}
            have = {s['port_id']: s for s in agent.kept['spokes']}
            self.assertEqual(want, have, 'step %d' % step)
            self.assertEqual(hub_digest.digest(hub),
                             hub_digest.digest(agent.kept))
        return agent

    def test_one_worker_answers_deltas(self):
        agent = self.run_agent(lambda rng, step: 0)
        self.assertEqual(1, agent.count('full'))
        self.assertGreater(agent.count('delta'), 100)

    def test_two_workers_alternating_are_exact_but_mostly_full(self):
        # each worker's base is the other's answer, unless the other one
        # only said "unchanged" in between
        agent = self.run_agent(lambda rng, step: step % 2)
        self.assertGreater(agent.count('full'), 100)

    def test_two_workers_random_order_are_exact(self):
        # a delta whenever the worker that gave the kept answer serves
        agent = self.run_agent(lambda rng, step: rng.randrange(2), seed=11)
        self.assertGreater(agent.count('delta'), 30)
        self.assertGreater(agent.count('full'), 30)
