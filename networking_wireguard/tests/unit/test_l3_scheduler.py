"""HubAwareScheduler: routers with hubs are only scheduled to their node.

The hub lookup (a query on the driver's tables) is replaced by a fixed
answer; the scheduling decisions themselves are the scheduler's.
(The real-stack behaviour is covered by tests/multinode.)
"""
from unittest import mock

from neutron.scheduler import l3_agent_scheduler
from neutron.tests import base

from networking_wireguard.l3 import scheduler
from networking_wireguard.l3 import server


class Agent(object):
    def __init__(self, agent_id, host):
        self.id = agent_id
        self.host = host


NET1, NET2 = Agent('a1', 'net1'), Agent('a2', 'net2')


class TestHubAwareScheduler(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.hubs = {}
        p = mock.patch.object(scheduler, '_hub_hosts',
                              side_effect=lambda ctx, rid: self.hubs)
        p.start()
        self.addCleanup(p.stop)
        self.sched = scheduler.HubAwareScheduler()
        self.plugin = mock.Mock()
        self.plugin._get_agent.side_effect = \
            lambda ctx, aid: {'a1': NET1, 'a2': NET2}[aid]
        self.ctx = mock.Mock()

    def test_router_without_hubs_keeps_all_candidates(self):
        self.assertEqual([NET1, NET2],
                         self.sched._on_hub_node(self.ctx, 'r', [NET1, NET2]))

    def test_router_with_hub_only_on_its_node(self):
        self.hubs = {'hub': 'net2'}
        self.assertEqual([NET2],
                         self.sched._on_hub_node(self.ctx, 'r', [NET1, NET2]))

    def test_hub_node_without_candidate_leaves_router_unscheduled(self):
        self.hubs = {'hub': 'net2'}
        with mock.patch.object(l3_agent_scheduler.LeastRoutersScheduler,
                               'schedule') as parent:
            self.assertIsNone(self.sched.schedule(self.plugin, self.ctx, 'r',
                                                  candidates=[NET1]))
        parent.assert_not_called()

    def test_schedule_passes_filtered_candidates(self):
        self.hubs = {'hub': 'net1'}
        with mock.patch.object(l3_agent_scheduler.LeastRoutersScheduler,
                               'schedule', return_value=NET1) as parent:
            self.assertEqual(NET1, self.sched.schedule(
                self.plugin, self.ctx, 'r', candidates=[NET1, NET2]))
        parent.assert_called_once_with(self.plugin, self.ctx, 'r',
                                       candidates=[NET1])

    def test_bind_to_another_node_refused(self):
        self.hubs = {'hub': 'net2'}
        with mock.patch.object(l3_agent_scheduler.LeastRoutersScheduler,
                               'bind_router') as parent:
            e = self.assertRaises(server.HubRouterConflict,
                                  self.sched.bind_router, self.plugin,
                                  self.ctx, 'r', 'a1')
        self.assertIn('cannot move between nodes', str(e))
        parent.assert_not_called()

    def test_bind_on_hub_node_allowed(self):
        self.hubs = {'hub': 'net2'}
        with mock.patch.object(l3_agent_scheduler.LeastRoutersScheduler,
                               'bind_router', return_value='b') as parent:
            self.assertEqual('b', self.sched.bind_router(
                self.plugin, self.ctx, 'r', 'a2'))
        parent.assert_called_once_with(self.plugin, self.ctx, 'r', 'a2',
                                       is_manual_scheduling=False,
                                       is_ha=False)
