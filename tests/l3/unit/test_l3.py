"""Unit tests of the L3 side, on Neutron's own test bases, with a fake
control socket (a real unix socket served from a thread)."""
from unittest import mock

from neutron.agent.l3 import legacy_router
from neutron.agent.linux import interface as n_interface
from neutron.tests import base
from neutron_lib import constants as lib_constants
from oslo_config import cfg
from oslo_utils import uuidutils

from networking_wireguard.l3 import ctl
from networking_wireguard.l3 import extension
from networking_wireguard.l3 import hubs
from networking_wireguard.l3 import interface
from networking_wireguard.l3 import router as wg_router

import fake_agent

_uuid = uuidutils.generate_uuid


def make_port(hub=True, cidr='10.77.0.1', mtu=1450):
    return {'id': _uuid(), 'network_id': _uuid(), 'project_id': 'p1',
            'mac_address': 'fa:16:3e:00:00:01', 'admin_state_up': True,
            'binding:vif_type': 'wireguard' if hub else 'bridge',
            'binding:host_id': 'node-1', 'mtu': mtu,
            'fixed_ips': [{'ip_address': cidr, 'prefixlen': 24,
                           'subnet_id': _uuid()}],
            'subnets': []}


class L3TestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.owned = set()
        self.attached = {}
        self.fake = fake_agent.FakeAgent(self._handle)
        self.addCleanup(self.fake.close)
        self.mgr = hubs.HubManager(ctl.ControlClient(self.fake.path, 5))
        hubs.set_manager(self.mgr)
        self.addCleanup(hubs.set_manager, None)

    def _handle(self, method, args):
        pid = args.get('port_id')
        if method == 'owns':
            if pid not in self.owned:
                return {'owned': False}
            return {'owned': True, 'present': True,
                    'namespace': self.attached.get(pid, 'tun-p1')}
        if method == 'attach':
            if pid not in self.owned:
                raise fake_agent.FakeError('hub %s is not realized on this '
                                           'node' % pid)
            changed = self.attached.get(pid) != args['namespace']
            self.attached[pid] = args['namespace']
            return {'changed': changed, 'interface': args['ifname'],
                    'namespace': args['namespace'],
                    'mtu': min(args['mtu'], 1420),
                    'mtu_capped': args['mtu'] > 1420,
                    'network_mtu': args['mtu']}
        if method == 'detach':
            if pid not in self.owned:
                return {'known': False}
            changed = pid in self.attached
            self.attached.pop(pid, None)
            return {'known': True, 'changed': changed,
                    'interface': 'wg-' + pid[:11], 'namespace': 'tun-p1'}
        raise fake_agent.FakeError('unknown method')

    def make_router(self, ports):
        driver = mock.Mock()
        driver.DEV_NAME_LEN = 14
        router = {'id': _uuid(), lib_constants.INTERFACE_KEY: ports}
        ri = wg_router.WireGuardLegacyRouter(mock.Mock(), router['id'],
                                             router, mock.Mock(), driver,
                                             use_ipv6=False)
        return ri, driver


class TestControlClient(L3TestCase):

    def test_call_ok_and_error(self):
        p = make_port()
        self.owned.add(p['id'])
        c = ctl.ControlClient(self.fake.path, 5)
        self.assertTrue(c.owns(p['id'])['owned'])
        e = self.assertRaises(ctl.ControlError, c.call, 'nope')
        self.assertEqual('unknown method', e.message)

    def test_unreachable(self):
        c = ctl.ControlClient(self.fake.dir + '/absent.sock', 1)
        self.assertRaises(ctl.AgentUnreachable, c.owns, 'x')

    def test_attach_request_shape(self):
        p = make_port()
        self.owned.add(p['id'])
        c = ctl.ControlClient(self.fake.path, 5)
        c.attach(p['id'], 'qrouter-r', 'qr-' + p['id'][:11],
                 ('10.77.0.1/24',), 1450)
        self.assertEqual(('attach', {'port_id': p['id'],
                                     'namespace': 'qrouter-r',
                                     'ifname': 'qr-' + p['id'][:11],
                                     'cidrs': ['10.77.0.1/24'],
                                     'mtu': 1450}), self.fake.calls[-1])


class TestRouter(L3TestCase):

    def test_hub_attached_through_agent_not_plugged(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, driver = self.make_router([hub])
        ri.internal_network_added(hub)
        driver.plug.assert_not_called()
        driver.init_router_port.assert_not_called()
        self.assertEqual(ri.ns_name, self.attached[hub['id']])
        m, args = self.fake.calls[-1]
        self.assertEqual('attach', m)
        self.assertEqual('qr-' + hub['id'][:11], args['ifname'])
        self.assertEqual(['10.77.0.1/24'], args['cidrs'])
        self.assertEqual(1450, args['mtu'])
        self.assertEqual({}, self.mgr.pending())

    def test_other_port_goes_to_neutron(self):
        vm_net = make_port(hub=False, cidr='10.10.0.1')
        ri, driver = self.make_router([vm_net])
        with mock.patch.object(legacy_router.LegacyRouter,
                               'internal_network_added') as sup:
            ri.internal_network_added(vm_net)
        sup.assert_called_once_with(vm_net)
        self.assertEqual([], self.fake.calls)

    def test_other_port_removed_and_updated_go_to_neutron(self):
        vm_net = make_port(hub=False)
        ri, _d = self.make_router([vm_net])
        with mock.patch.object(legacy_router.LegacyRouter,
                               'internal_network_removed') as rm, \
                mock.patch.object(legacy_router.LegacyRouter,
                                  'internal_network_updated') as up:
            ri.internal_network_updated(vm_net)
            ri.internal_network_removed(vm_net)
        up.assert_called_once_with(vm_net)
        rm.assert_called_once_with(vm_net)
        self.assertEqual([], self.fake.calls)

    def test_attach_idempotent(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        ri.internal_network_added(hub)  # after an L3 agent restart
        self.assertEqual(['attach', 'attach'], self.fake.methods())
        self.assertEqual({}, self.mgr.pending())

    def test_unrealized_hub_is_pending_not_raised(self):
        hub = make_port()
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)   # must not raise
        self.assertIn(hub['id'], self.mgr.pending())
        self.assertEqual(['attach', 'owns'], self.fake.methods())
        self.assertEqual([], self.mgr.retry_pending())
        self.owned.add(hub['id'])        # realized late
        self.assertEqual([hub['id']], self.mgr.retry_pending())
        self.assertEqual(ri.ns_name, self.attached[hub['id']])
        self.assertEqual({}, self.mgr.pending())

    def test_unrealized_hub_explained_by_where_it_is_bound(self):
        # bound here, agent not done yet: a warning; bound to another node
        # (router hosted on the wrong node): an error naming it
        cfg.CONF.set_override('host', 'node-1')
        self.addCleanup(cfg.CONF.clear_override, 'host')
        here, there = make_port(), make_port()
        there['binding:host_id'] = 'node-2'
        with mock.patch.object(hubs.LOG, 'error') as err, \
                mock.patch.object(hubs.LOG, 'warning') as warn:
            ri, _d = self.make_router([here, there])
            ri.internal_network_added(here)
            self.assertEqual(0, err.call_count)
            ri.internal_network_added(there)
            self.assertEqual(1, err.call_count)
            self.assertIn('node-2', err.call_args[0][3])
        self.assertTrue(any('bound to this node' in c[0][0]
                            for c in warn.call_args_list))

    def test_pending_dropped_when_router_no_longer_carries_it(self):
        hub = make_port()
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        ri.router[lib_constants.INTERFACE_KEY] = []
        self.owned.add(hub['id'])
        self.assertEqual([], self.mgr.retry_pending())
        self.assertNotIn(hub['id'], self.attached)
        self.assertEqual({}, self.mgr.pending())

    def test_agent_down_is_pending(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, _d = self.make_router([hub])
        self.mgr.client = ctl.ControlClient(self.fake.dir + '/gone', 1)
        ri.internal_network_added(hub)
        self.assertIn(hub['id'], self.mgr.pending())
        self.mgr.client = ctl.ControlClient(self.fake.path, 5)
        self.assertEqual([hub['id']], self.mgr.retry_pending())

    def test_removed_detaches(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, driver = self.make_router([hub])
        ri.internal_network_added(hub)
        ri.internal_network_removed(hub)
        driver.unplug.assert_not_called()
        self.assertEqual(('detach', {'port_id': hub['id']}),
                         self.fake.calls[-1])
        self.assertNotIn(hub['id'], self.attached)

    def test_removed_after_port_deleted(self):
        # `router remove port` deletes the port (and the agent the hub)
        # before the L3 agent's removal hook runs.
        hub = make_port()
        self.owned.add(hub['id'])
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        self.owned.discard(hub['id'])
        self.attached.pop(hub['id'])
        ri.internal_network_removed(hub)  # must not raise
        self.assertEqual('detach', self.fake.calls[-1][0])

    def test_update_with_lost_vif_type_stays_ours(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, driver = self.make_router([hub])
        ri.internal_network_added(hub)
        rebinding = dict(hub, **{'binding:vif_type': 'unbound'})
        ri.internal_network_updated(rebinding)
        driver.set_mtu.assert_not_called()
        driver.init_router_port.assert_not_called()
        self.assertEqual('attach', self.fake.calls[-1][0])

    def test_process_internal_ports_mixed(self):
        hub = make_port()
        vm_net = make_port(hub=False, cidr='10.10.0.1')
        self.owned.add(hub['id'])
        ri, driver = self.make_router([hub, vm_net])
        with mock.patch.object(legacy_router.LegacyRouter,
                               'internal_network_added') as sup, \
                mock.patch.object(ri, '_get_existing_devices',
                                  return_value=[]):
            ri._process_internal_ports()
        sup.assert_called_once_with(vm_net)
        self.assertEqual(['attach'], self.fake.methods())
        self.assertEqual({hub['id'], vm_net['id']},
                         {p['id'] for p in ri.internal_ports})


class TestVerify(L3TestCase):

    def test_vanished_hub_reattached(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        self.assertEqual([], self.mgr.verify_attached())
        # re-created by the agent in its home namespace
        self.attached.pop(hub['id'])
        self.assertEqual([hub['id']], self.mgr.verify_attached())
        self.assertEqual(ri.ns_name, self.attached[hub['id']])

    def test_detached_hub_not_verified(self):
        hub = make_port()
        self.owned.add(hub['id'])
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        ri.internal_network_removed(hub)
        self.assertEqual([], self.mgr.verify_attached())
        self.assertNotIn(hub['id'], self.attached)


class TestExtension(L3TestCase):

    def test_registers_legacy_router_class(self):
        api = mock.Mock()
        ext = extension.WireGuardL3Extension()
        ext.consume_api(api)
        api.register_router.assert_called_once_with(
            [], wg_router.WireGuardLegacyRouter)

    def test_retry_loop_attaches(self):
        hub = make_port()
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        ext = extension.WireGuardL3Extension()
        self.owned.add(hub['id'])
        ext._retry()
        self.assertEqual(ri.ns_name, self.attached[hub['id']])

    def test_delete_router_forgets_pending(self):
        hub = make_port()
        ri, _d = self.make_router([hub])
        ri.internal_network_added(hub)
        extension.WireGuardL3Extension().delete_router(None,
                                                       {'id': ri.router_id})
        self.assertEqual({}, self.mgr.pending())


class TestInterfaceDriver(L3TestCase):

    def _driver(self):
        conf = mock.Mock()
        return interface.BridgeInterfaceDriver(conf)

    def test_hub_link_is_parked_not_deleted(self):
        hub = make_port()
        self.owned.add(hub['id'])
        self.attached[hub['id']] = 'qrouter-x'
        drv = self._driver()
        with mock.patch.object(interface, 'hub_port_of',
                               return_value=hub['id']), \
                mock.patch.object(n_interface.BridgeInterfaceDriver,
                                  'unplug') as sup:
            drv.unplug('qr-' + hub['id'][:11], namespace='qrouter-x',
                       prefix='qr-')
        sup.assert_not_called()
        self.assertEqual(('detach', {'port_id': hub['id']}),
                         self.fake.calls[-1])

    def test_hub_link_kept_when_agent_down(self):
        self.mgr.client = ctl.ControlClient(self.fake.dir + '/gone', 1)
        drv = self._driver()
        with mock.patch.object(interface, 'hub_port_of',
                               return_value=_uuid()), \
                mock.patch.object(n_interface.BridgeInterfaceDriver,
                                  'unplug') as sup:
            drv.unplug('qr-abc', namespace='qrouter-x', prefix='qr-')
        sup.assert_not_called()

    def test_other_link_deleted_by_neutron(self):
        drv = self._driver()
        with mock.patch.object(interface, 'hub_port_of',
                               return_value=None), \
                mock.patch.object(n_interface.BridgeInterfaceDriver,
                                  'unplug') as sup:
            drv.unplug('qr-abc', namespace='qrouter-x', prefix='qr-')
        sup.assert_called_once_with('qr-abc', bridge=None,
                                    namespace='qrouter-x', prefix='qr-')
        self.assertEqual([], self.fake.calls)

    def test_is_hub_markers(self):
        self.assertTrue(hubs.is_hub({'binding:vif_type': 'wireguard'}))
        self.assertTrue(hubs.is_hub({'binding:vif_type': 'binding_failed',
                                     'binding:profile': {'wg_role': 'hub'}}))
        self.assertTrue(hubs.is_hub({'binding:vif_type': 'unbound',
                                     'wireguard': {'role': 'hub'}}))
        self.assertFalse(hubs.is_hub({'binding:vif_type': 'bridge',
                                      'binding:profile': {},
                                      'wireguard': None}))
        self.assertFalse(hubs.is_hub({'binding:profile': {
            'wg_role': 'spoke'}}))
        self.assertFalse(hubs.is_hub(None))

    def test_alias_parsing(self):
        self.assertEqual('abc', hubs.port_id_from_alias(
            'neutron-wireguard:abc'))
        self.assertIsNone(hubs.port_id_from_alias('something else'))
        self.assertIsNone(hubs.port_id_from_alias(None))
        self.assertIsNone(hubs.port_id_from_alias('neutron-wireguard:'))

    def test_hub_port_of_reads_alias(self):
        dev = mock.Mock()
        dev.exists.return_value = True
        dev.link.alias = 'neutron-wireguard:p-1'
        with mock.patch.object(interface.ip_lib, 'IPDevice',
                               return_value=dev):
            self.assertEqual('p-1', interface.hub_port_of('qr-p', 'ns'))
        dev.exists.return_value = False
        with mock.patch.object(interface.ip_lib, 'IPDevice',
                               return_value=dev):
            self.assertIsNone(interface.hub_port_of('qr-p', 'ns'))


class TestServerCallbacks(base.BaseTestCase):

    def _payload(self, original, attrs):
        from neutron_lib.callbacks import events
        return events.DBEventPayload(mock.Mock(), resource_id=original['id'],
                                     states=(original, attrs))

    def test_hub_refused_on_ha_and_dvr(self):
        from networking_wireguard.l3 import server
        hub = make_port()
        for owner in (lib_constants.DEVICE_OWNER_HA_REPLICATED_INT,
                      lib_constants.DEVICE_OWNER_DVR_INTERFACE):
            self.assertRaises(
                server.HubRouterConflict, server.check_hub_owner, 'port',
                'before_update', None,
                payload=self._payload(hub, {'device_owner': owner,
                                            'device_id': 'r1'}))

    def test_legacy_router_and_other_ports_pass(self):
        from networking_wireguard.l3 import server
        hub = make_port()
        server.check_hub_owner('port', 'before_update', None,
                               payload=self._payload(hub, {
                                   'device_owner':
                                       lib_constants.DEVICE_OWNER_ROUTER_INTF,
                                   'device_id': 'r1'}))
        vm_net = make_port(hub=False)
        with mock.patch.object(server, '_is_hub', return_value=False):
            server.check_hub_owner('port', 'before_update', None,
                                   payload=self._payload(vm_net, {
                                       'device_owner': lib_constants.
                                       DEVICE_OWNER_DVR_INTERFACE}))
