"""`router add port` with a hub on ML2/OVN is refused with the steps."""

from unittest import mock

from neutron.conf.plugins.ml2 import config as ml2_config
from neutron.tests import base
from neutron_lib.callbacks import events
from neutron_lib import constants as n_const
from neutron_lib import exceptions as n_exc
from oslo_config import cfg

from networking_wireguard.l3 import server
from networking_wireguard.ovn import router as ovn_router

HUB_SUBNET = 'a1b2c3d4-0000-4000-8000-00000000000a'
DEV_SUBNET = 'a1b2c3d4-0000-4000-8000-00000000000b'


def hub_port(owner=''):
    return {'id': 'hub-1', 'network_id': 'net-1', 'device_owner': owner,
            'device_id': '', 'binding:vif_type': 'wireguard',
            'fixed_ips': [{'subnet_id': HUB_SUBNET,
                           'ip_address': '10.61.2.5'}]}


class TestHubRouterPortOnOvn(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        plugin = mock.Mock()
        plugin.get_subnets.return_value = [
            {'id': HUB_SUBNET, 'cidr': '10.61.2.0/24'},
            {'id': DEV_SUBNET, 'cidr': '10.61.3.0/24'}]
        p = mock.patch.object(ovn_router.directory, 'get_plugin',
                              return_value=plugin)
        p.start()
        self.addCleanup(p.stop)

    def _call(self, original, attrs):
        payload = events.DBEventPayload(
            mock.Mock(), resource_id=original['id'], states=(original, attrs))
        return ovn_router.check_hub_router_port('port', 'before_update', None,
                                                payload=payload)

    def test_router_interface_refused_with_steps(self):
        for owner in (n_const.DEVICE_OWNER_ROUTER_INTF,
                      n_const.DEVICE_OWNER_DVR_INTERFACE,
                      n_const.DEVICE_OWNER_ROUTER_GW):
            e = self.assertRaises(ovn_router.HubRouterPortOnOvn, self._call,
                                  hub_port(), {'device_owner': owner,
                                               'device_id': 'r1'})
            msg = str(e)
            self.assertIn('hub-1 is a WireGuard hub', msg)
            self.assertIn('openstack router add subnet r1 %s' % HUB_SUBNET,
                          msg)
            self.assertIn('--allowed-address ip-address=10.61.3.0/24 hub-1',
                          msg)
            self.assertIn('destination=10.61.3.0/24,gateway=10.61.2.5 r1',
                          msg)
            self.assertIsInstance(e, n_exc.Conflict)  # 409 in the API

    def test_prefix_placeholder_when_not_one_candidate(self):
        ovn_router.directory.get_plugin.return_value.get_subnets.\
            return_value = []
        e = self.assertRaises(ovn_router.HubRouterPortOnOvn, self._call,
                              hub_port(), {'device_owner':
                                           n_const.DEVICE_OWNER_ROUTER_INTF,
                                           'device_id': 'r1'})
        self.assertIn("ip-address=<devices' prefix> hub-1", str(e))

    def test_other_updates_and_ports_pass(self):
        # an ordinary update of the hub
        self.assertIsNone(self._call(hub_port(), {'name': 'x'}))
        self.assertIsNone(self._call(hub_port(),
                                     {'device_owner': 'compute:x'}))
        # already a router port: nothing new to refuse
        self.assertIsNone(self._call(
            hub_port(n_const.DEVICE_OWNER_ROUTER_INTF),
            {'device_owner': n_const.DEVICE_OWNER_ROUTER_INTF}))
        # a port that is not a hub
        other = dict(hub_port(), **{'binding:vif_type': 'ovs'})
        with mock.patch.object(server, '_is_hub', return_value=False):
            self.assertIsNone(self._call(other, {
                'device_owner': n_const.DEVICE_OWNER_ROUTER_INTF}))

    def test_subscribed_only_with_ovn(self):
        ml2_config.register_ml2_plugin_opts()
        cfg.CONF.set_override('mechanism_drivers',
                              ['wireguard', 'openvswitch'], group='ml2')
        with mock.patch.object(ovn_router.registry, 'subscribe') as sub:
            self.assertFalse(ovn_router.subscribe())
            sub.assert_not_called()
        cfg.CONF.set_override('mechanism_drivers', ['wireguard', 'ovn'],
                              group='ml2')
        with mock.patch.object(ovn_router.registry, 'subscribe') as sub:
            self.assertTrue(ovn_router.subscribe())
            sub.assert_called_once_with(ovn_router.check_hub_router_port,
                                        'port', 'before_update')
