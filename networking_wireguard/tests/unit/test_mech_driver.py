"""The driver inside a real ML2 plugin (Neutron's own test bases, SQLite)."""

import base64
from unittest import mock

from neutron.tests.common import helpers
from neutron.tests.unit.plugins.ml2 import test_plugin
from neutron_lib.api.definitions import portbindings as pb
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from oslo_config import cfg
import oslo_messaging
import webob.exc

from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard.db import models  # noqa: F401 (tables for SQLite)
from networking_wireguard.ml2 import mech_driver
from networking_wireguard.ml2 import port_details
from networking_wireguard.ml2 import realized
from networking_wireguard import payloads
from networking_wireguard import rpc

HOST = 'wg-node-1'
HOST2 = 'wg-node-2'
ARGS = (pb.HOST_ID, pb.PROFILE, pb.VNIC_TYPE)


def key(n):
    return base64.b64encode(bytes([n]) * 32).decode()


def wg_agent(host):
    return helpers._register_agent({
        'agent_type': c.AGENT_TYPE, 'binary': c.AGENT_BINARY, 'host': host,
        'topic': 'N/A', 'configurations': {}})


class WireGuardDriverTestCase(test_plugin.Ml2PluginV2TestCase):

    _mechanism_drivers = ['wireguard', 'logger']

    def get_additional_service_plugins(self):
        # revision_number shows whether a port was rewritten (or rebound)
        return {'revisions': 'neutron.services.revisions.revision_plugin.'
                             'RevisionPlugin',
                'wireguard': 'networking_wireguard.service_plugin.'
                             'WireGuardServicePlugin'}

    def setUp(self):
        cfg.CONF.set_override('extension_drivers', ['wireguard'], group='ml2')
        super().setUp()
        self.casts = mock.patch.object(rpc.WireGuardAgentNotifyApi,
                                       'hubs_changed').start()
        self.mech = self.driver.mechanism_manager.mech_drivers[
            'wireguard'].obj
        self.net = self._make_network(self.fmt, 'wg', True)['network']
        self._make_subnet(self.fmt, {'network': self.net}, '10.99.0.1',
                          '10.99.0.0/24', enable_dhcp=False)

    # ------------------------------------------------------------ helpers
    def _port(self, status=webob.exc.HTTPCreated.code, net_id=None, **kw):
        res = self._create_port(self.fmt, net_id or self.net['id'],
                                arg_list=ARGS, **kw)
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body.get('port', body)

    def hub(self, host=HOST, **kw):
        return self._port(device_owner=c.DEVICE_OWNER_HUB,
                          **{pb.HOST_ID: host, pb.PROFILE: {}}, **kw)

    def spoke(self, peers, n=1, host=None, **profile):
        profile.update(public_key=key(n), peers=peers)
        kw = {pb.PROFILE: profile}
        if host:
            kw[pb.HOST_ID] = host
        return self._port(device_owner=c.DEVICE_OWNER_SPOKE, **kw)

    def show(self, port_id):
        return self._show('ports', port_id)['port']

    def update(self, port_id, status=200, **attrs):
        req = self.new_update_request('ports', {'port': attrs}, port_id)
        res = req.get_response(self.api)
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body

    def count_ports(self):
        return len(self._list('ports')['ports'])

    def assert_bad_create(self, field, **kw):
        before = self.count_ports()
        body = self._port(status=400, **kw)
        self.assertEqual('InvalidInput', body['NeutronError']['type'])
        self.assertIn(field, body['NeutronError']['message'])
        self.assertEqual(before, self.count_ports())

    def realize(self, hub_id, n=9, port=51820):
        return self.mech.hub_realized(
            n_context.get_admin_context(), hub_id, key(n), port,
            '203.0.113.1:%d' % port, 'wg-' + hub_id[:11], 'tun-x', 1420)

    def get_hubs(self, host, port_ids=None):
        return rpc.WireGuardRpcCallback(self.mech).get_hubs(
            n_context.get_admin_context(), host=host, port_ids=port_ids)

    def cast_calls(self):
        return [(a[1], sorted(a[2])) for a, _k in self.casts.call_args_list]


class TestBinding(WireGuardDriverTestCase):

    def test_hub_bound_with_live_agent(self):
        wg_agent(HOST)
        hub = self.hub()
        self.assertEqual(c.VIF_TYPE_WIREGUARD, hub[pb.VIF_TYPE])
        for name in c.HUB_DETAILS:
            self.assertIsNone(hub[pb.VIF_DETAILS][name])
        self.assertEqual('hub', hub['wireguard']['role'])

    def test_hub_not_bound_without_or_with_dead_agent(self):
        self.assertEqual(pb.VIF_TYPE_BINDING_FAILED, self.hub()[pb.VIF_TYPE])
        helpers.kill_agent(wg_agent(HOST2)['id'])
        self.assertEqual(pb.VIF_TYPE_BINDING_FAILED,
                         self.hub(host=HOST2)[pb.VIF_TYPE])

    def test_hub_not_bound_by_other_agent_type(self):
        helpers.register_ovs_agent(host=HOST)
        self.assertEqual(pb.VIF_TYPE_BINDING_FAILED, self.hub()[pb.VIF_TYPE])

    def test_foreign_port_never_bound(self):
        wg_agent(HOST)
        port = self._port(**{pb.HOST_ID: HOST})
        self.assertEqual(pb.VIF_TYPE_BINDING_FAILED, port[pb.VIF_TYPE])
        self.assertIsNone(port['wireguard'])
        self.assertIsNone(db.get_row(self.context.session, port['id']))

    def test_hub_bound_on_vlan_network(self):
        wg_agent(HOST)
        net = self._make_network(
            self.fmt, 'vlan', True,
            arg_list=('provider:network_type', 'provider:physical_network'),
            **{'provider:network_type': 'vlan',
               'provider:physical_network': 'physnet1'})['network']
        self._make_subnet(self.fmt, {'network': net}, '10.98.0.1',
                          '10.98.0.0/24', enable_dhcp=False)
        hub = self._port(net_id=net['id'], device_owner=c.DEVICE_OWNER_HUB,
                         **{pb.HOST_ID: HOST})
        self.assertEqual(c.VIF_TYPE_WIREGUARD, hub[pb.VIF_TYPE])

    def test_spoke_bound_without_agent(self):
        wg_agent(HOST)
        hub = self.hub()
        self.realize(hub['id'])
        spoke = self.spoke([hub['id']], host='somewhere-else')
        self.assertEqual(c.VIF_TYPE_WIREGUARD, spoke[pb.VIF_TYPE])
        self.assertEqual([{'port_id': hub['id'], 'public_key': key(9),
                           'endpoint': '203.0.113.1:51820',
                           'allowed_ips': ['10.99.0.0/24'], 'mtu': 1420}],
                         spoke[pb.VIF_DETAILS]['peers'])
        self.assertEqual(spoke[pb.VIF_DETAILS]['peers'],
                         spoke['wireguard']['peers'])

    def test_unbound_spoke_has_attribute(self):
        spoke = self.spoke([])
        self.assertEqual(pb.VIF_TYPE_UNBOUND, spoke[pb.VIF_TYPE])
        self.assertEqual({'role': 'spoke', 'public_key': key(1),
                          'endpoint': None, 'listen_port': None,
                          'persistent_keepalive': None,
                          'peers': []}, spoke['wireguard'])

    def test_initialize_warns_unless_first(self):
        cfg.CONF.set_override('mechanism_drivers', ['logger', 'wireguard'],
                              group='ml2')
        with mock.patch.object(mech_driver.LOG, 'warning') as warn:
            mech_driver.WireGuardMechanismDriver().initialize()
        self.assertTrue(warn.called)
        cfg.CONF.set_override('mechanism_drivers', ['wireguard', 'logger'],
                              group='ml2')
        with mock.patch.object(mech_driver.LOG, 'warning') as warn:
            mech_driver.WireGuardMechanismDriver().initialize()
        self.assertFalse(warn.called)


class TestValidation(WireGuardDriverTestCase):

    def setUp(self):
        super().setUp()
        wg_agent(HOST)      # hubs bind at once (no 10 binding retries)

    def test_bad_spoke_profiles(self):
        hub = self.hub()
        good = {'public_key': key(1), 'peers': [hub['id']]}
        cases = [
            ('public_key', {'peers': []}),
            ('public_key', dict(good, public_key=key(1)[:-1])),
            ('public_key', dict(good, public_key=key(1)[:-2] + 'B=')),
            ('public_key', dict(good, public_key=12)),
            ('endpoint', dict(good, endpoint='vpn.example.org')),
            ('endpoint', dict(good, endpoint='192.0.2.1:0')),
            ('endpoint', dict(good, endpoint='[fd00::1]:70000')),
            ('persistent_keepalive', dict(good, persistent_keepalive=-1)),
            ('persistent_keepalive', dict(good, persistent_keepalive='25')),
            ('peers', dict(good, peers=hub['id'])),
            ('peers', dict(good, peers=['not-a-uuid'])),
            ('peers', dict(good, peers=[hub['id'], hub['id']])),
            ('binding:profile.foo', dict(good, foo=1)),
            ('binding:profile.root_namespace',
             dict(good, root_namespace=True)),
        ]
        for field, profile in cases:
            with self.subTest(field=field, profile=profile):
                self.assert_bad_create(
                    field, device_owner=c.DEVICE_OWNER_SPOKE,
                    **{pb.PROFILE: profile})
        self.assert_bad_create('binding:vnic_type',
                               device_owner=c.DEVICE_OWNER_SPOKE,
                               **{pb.PROFILE: good, pb.VNIC_TYPE: 'direct'})

    def test_private_keys_rejected(self):
        for profile, field in [
                ({'private_key': key(2)}, 'binding:profile.private_key'),
                ({'PrivateKey': key(2)}, 'binding:profile.PrivateKey'),
                ({'privatekey': key(2)}, 'binding:profile.privatekey'),
                ({'private-key': key(2)}, 'binding:profile.private-key'),
                ({'x': {'y': [{'Private_Key': key(2)}]}},
                 'binding:profile.x.y[0].Private_Key')]:
            profile.update(wg_role='spoke', public_key=key(1))
            with self.subTest(field=field):
                self.assert_bad_create(field, **{pb.PROFILE: profile})

    def test_bad_hubs(self):
        self.assert_bad_create('binding:host_id',
                               device_owner=c.DEVICE_OWNER_HUB)
        self.assert_bad_create('fixed_ips', device_owner=c.DEVICE_OWNER_HUB,
                               fixed_ips=[], **{pb.HOST_ID: HOST})
        for profile, field in [({'peers': []}, 'peers'),
                               ({'public_key': key(3)}, 'public_key'),
                               ({'endpoint': '192.0.2.1:5'}, 'endpoint'),
                               ({'root_namespace': 'yes'}, 'root_namespace'),
                               ({'persistent_keepalive': 5},
                                'persistent_keepalive')]:
            with self.subTest(field=field):
                self.assert_bad_create(
                    'binding:profile.' + field,
                    device_owner=c.DEVICE_OWNER_HUB,
                    **{pb.HOST_ID: HOST, pb.PROFILE: profile})

    def test_roles_and_owners(self):
        self.assert_bad_create('wg_role', **{pb.PROFILE: {'wg_role': 'x'}})
        self.assert_bad_create('wg_role', device_owner=c.DEVICE_OWNER_SPOKE,
                               **{pb.PROFILE: {'wg_role': 'hub'}})
        self.assert_bad_create('device_owner',
                               device_owner='channel:wireguard:gateway')
        # Neutron/Nova-owned keys are tolerated
        port = self.spoke([], migrating_to='other-host')
        self.assertEqual('spoke', port['wireguard']['role'])

    def test_bad_peers(self):
        hub = self.hub()
        plain = self._port()
        other = self._make_network(self.fmt, 'other', True)['network']
        self._make_subnet(self.fmt, {'network': other}, '10.97.0.1',
                          '10.97.0.0/24', enable_dhcp=False)
        far_hub = self._port(net_id=other['id'],
                             device_owner=c.DEVICE_OWNER_HUB,
                             **{pb.HOST_ID: HOST})
        for peers, text in [(['6d1c5a0e-0000-4000-8000-000000000000'],
                             'does not exist'),
                            ([plain['id']], 'is not a WireGuard hub'),
                            ([far_hub['id']], 'is on network')]:
            with self.subTest(text=text):
                before = self.count_ports()
                body = self._port(
                    status=400, device_owner=c.DEVICE_OWNER_SPOKE,
                    **{pb.PROFILE: {'public_key': key(1), 'peers': peers}})
                self.assertIn('binding:profile.peers',
                              body['NeutronError']['message'])
                self.assertIn(text, body['NeutronError']['message'])
                self.assertEqual(before, self.count_ports())
        # another project's hub or plain port, for a non-admin caller: the
        # same answer as for a port that does not exist (nothing leaks)
        port = {'id': 'x', 'network_id': self.net['id'],
                'project_id': 'someone-else'}
        ctx = mock.Mock(is_admin=False, session=self.context.session)
        for peer in (hub['id'], plain['id'], far_hub['id']):
            with self.subTest(peer=peer):
                err = self.assertRaises(
                    n_exc.InvalidInput, self.mech._check_peers, ctx, port,
                    {'peers': [peer], 'public_key': key(1)})
                self.assertEqual(
                    'Invalid input for operation: binding:profile.peers: '
                    'port %s does not exist.' % peer, str(err))

    def test_spoke_key_unique_per_hub(self):
        hub = self.hub()
        self.spoke([hub['id']], n=5)
        self.assert_bad_create('binding:profile.public_key',
                               device_owner=c.DEVICE_OWNER_SPOKE,
                               **{pb.PROFILE: {'public_key': key(5),
                                               'peers': [hub['id']]}})

    def test_bad_updates_change_nothing(self):
        wg_agent(HOST)
        hub = self.hub()
        spoke = self.spoke([hub['id']])
        cases = [
            (hub, {pb.PROFILE: {'wg_role': 'spoke'}}, 'wg_role'),
            (hub, {'device_owner': c.DEVICE_OWNER_SPOKE}, 'device_owner'),
            (hub, {pb.HOST_ID: ''}, 'binding:host_id'),
            (hub, {'fixed_ips': []}, 'fixed_ips'),
            (hub, {pb.PROFILE: {'public_key': key(7)}}, 'public_key'),
            (spoke, {pb.PROFILE: {'public_key': 'AAAA'}}, 'public_key'),
            (spoke, {pb.PROFILE: {'public_key': key(1),
                                  'private_key': key(2)}}, 'private_key'),
            (spoke, {pb.PROFILE: {'public_key': key(1), 'peers': [
                '6d1c5a0e-0000-4000-8000-000000000000']}}, 'peers'),
        ]
        for port, attrs, field in cases:
            with self.subTest(field=field, attrs=attrs):
                before = self.show(port['id'])
                body = self.update(port['id'], status=400, **attrs)
                self.assertIn(field, body['NeutronError']['message'])
                after = self.show(port['id'])
                self.assertEqual(before['revision_number'],
                                 after['revision_number'])
                self.assertEqual(before[pb.PROFILE], after[pb.PROFILE])


class TestRolePersistence(WireGuardDriverTestCase):

    def test_role_survives_profile_rebind(self):
        wg_agent(HOST)
        hub = self._port(**{pb.HOST_ID: HOST,
                            pb.PROFILE: {'wg_role': 'hub'}})
        self.assertEqual(c.VIF_TYPE_WIREGUARD, hub[pb.VIF_TYPE])
        port = self.update(hub['id'], **{pb.PROFILE: {}})['port']
        self.assertEqual(c.VIF_TYPE_WIREGUARD, port[pb.VIF_TYPE])
        self.assertEqual('hub', port['wireguard']['role'])

    def test_role_survives_router_add_port_host_rewrite_refused(self):
        wg_agent(HOST)
        wg_agent(HOST2)
        hub = self.hub()
        self.realize(hub['id'])
        spoke = self.spoke([hub['id']])
        # re-realized, profile not mirrored: a stale profile key must not
        # block the router attachment
        cfg.CONF.set_override('write_hub_profile', False, 'ml2_wireguard')
        self.realize(hub['id'], n=10)
        l3 = directory.get_plugin(plugin_constants.L3)
        router = l3.create_router(self.context, {'router': {
            'name': 'r', 'admin_state_up': True,
            'tenant_id': self._tenant_id}})
        l3.add_router_interface(self.context, router['id'],
                                {'port_id': hub['id']})
        port = self.show(hub['id'])
        self.assertEqual(n_const.DEVICE_OWNER_ROUTER_INTF,
                         port['device_owner'])
        self.assertEqual('hub', port['wireguard']['role'])
        self.assertEqual(c.VIF_TYPE_WIREGUARD, port[pb.VIF_TYPE])
        # what the L3 agent's sync does for a non-HA router hosted on
        # another node: refused, the hub stays bound (and keyed) on HOST
        self.casts.reset_mock()
        try:
            self.driver.update_port(self.context, hub['id'],
                                    {'port': {pb.HOST_ID: HOST2}})
        except Exception as e:  # ML2 wraps it in MechanismDriverError
            inner = getattr(e, 'inner_exceptions', None) or [e]
            self.assertIsInstance(inner[0], n_exc.Conflict)
            self.assertIn('re-bound to %s' % HOST2, str(inner[0]))
        else:
            self.fail('re-binding a realized hub to another host')
        port = self.show(hub['id'])
        self.assertEqual(HOST, port[pb.HOST_ID])
        self.assertEqual(c.VIF_TYPE_WIREGUARD, port[pb.VIF_TYPE])
        self.assertEqual('hub', port['wireguard']['role'])
        self.assertEqual([], self.cast_calls())
        self.assertEqual([], self.get_hubs(HOST2)['hubs'])
        hubs = self.get_hubs(HOST)['hubs']
        self.assertEqual(router['id'], hubs[0]['router_id'])
        self.assertEqual(key(10), hubs[0]['public_key'])
        self.assertEqual([spoke['id']], [s['port_id']
                                         for s in hubs[0]['spokes']])


class TestRouterSubnets(WireGuardDriverTestCase):
    """What a device reaches through its hub besides the hub's subnet."""

    def _router(self, *subnet_ids):
        l3 = directory.get_plugin(plugin_constants.L3)
        router = l3.create_router(self.context, {'router': {
            'name': 'r', 'admin_state_up': True,
            'tenant_id': self._tenant_id}})
        for sid in subnet_ids:
            l3.add_router_interface(self.context, router['id'],
                                    {'subnet_id': sid})
        return router['id']

    def _subnet(self, name, cidr):
        net = self._make_network(self.fmt, name, True)['network']
        gw = cidr.rsplit('.', 2)[0] + '.0.1'
        return self._make_subnet(self.fmt, {'network': net}, gw, cidr,
                                 enable_dhcp=False)['subnet']['id']

    def _route(self, router_id, nexthop):
        from neutron.db.models import l3 as l3_models
        with db_api.CONTEXT_WRITER.using(self.context):
            self.context.session.add(l3_models.RouterRoute(
                router_id=router_id, destination='10.77.0.0/24',
                nexthop=nexthop))

    def _cidrs(self, hub_id):
        from networking_wireguard.l3 import server
        with db_api.CONTEXT_READER.using(self.context):
            return server.router_subnet_cidrs(self.context.session, hub_id)

    def test_router_routing_to_the_hub_lends_its_subnets(self):
        # ML2/OVN: router add subnet (the hub's) + a route via the hub
        wg_agent(HOST)
        hub = self.hub()
        hub_ip = hub['fixed_ips'][0]['ip_address']
        hub_subnet = hub['fixed_ips'][0]['subnet_id']
        router = self._router(hub_subnet, self._subnet('vm', '10.50.0.0/24'))
        self.assertEqual([], self._cidrs(hub['id']))   # no route via it
        self._route(router, hub_ip)
        self.assertEqual(['10.50.0.0/24'], self._cidrs(hub['id']))
        self.realize(hub['id'])
        spoke = self.spoke([hub['id']])
        peer = self.show(spoke['id'])['wireguard']['peers'][0]
        self.assertIn('10.50.0.0/24', peer['allowed_ips'])

    def test_same_address_on_another_network_is_not_this_hub(self):
        wg_agent(HOST)
        hub = self.hub()
        other = self._router(self._subnet('far', '10.51.0.0/24'))
        self._route(other, hub['fixed_ips'][0]['ip_address'])
        self.assertEqual([], self._cidrs(hub['id']))


class TestRpc(WireGuardDriverTestCase):

    def test_get_hubs_payload(self):
        wg_agent(HOST)
        sub6 = self._make_subnet(
            self.fmt, {'network': self.net}, 'fd00:99::1', 'fd00:99::/64',
            ip_version=6, enable_dhcp=False)['subnet']
        hub = self.hub()
        spoke = self.spoke([hub['id']], n=2, endpoint='198.51.100.7:51820',
                           persistent_keepalive=25)
        bare = self.spoke([hub['id']], n=3, endpoint='198.51.100.8')
        down = self.spoke([hub['id']], n=4)
        self.update(down['id'], admin_state_up=False)
        ips = {ip['subnet_id']: ip['ip_address'] for ip in hub['fixed_ips']}
        sips = [ip['ip_address'] for ip in sorted(
            spoke['fixed_ips'], key=lambda i: i['subnet_id'] == sub6['id'])]
        gateways = sorted(
            {s['gateway_ip'] for s in self._list('subnets')['subnets']
             if s['network_id'] == self.net['id'] and s['gateway_ip']},
            key=lambda g: (':' in g, g))
        self.assertTrue(gateways)
        result = self.get_hubs(HOST)
        self.assertEqual({'host', 'hubs'}, set(result))
        self.assertEqual(1, len(result['hubs']))
        got = result['hubs'][0]
        spokes = got.pop('spokes')
        v4 = [v for k, v in ips.items() if k != sub6['id']][0]
        self.assertEqual({
            'port_id': hub['id'], 'project_id': self._tenant_id,
            'network_id': self.net['id'], 'admin_state_up': True,
            'fixed_ips': [v4 + '/24', ips[sub6['id']] + '/64'],
            'mtu': self.net['mtu'], 'root_namespace': False,
            'mac_address': hub['mac_address'], 'gateways': gateways,
            'public_key': None, 'listen_port': None, 'router_id': None},
            got)
        self.assertEqual([
            {'port_id': spoke['id'], 'public_key': key(2),
             'endpoint': '198.51.100.7:51820',
             'allowed_ips': [sips[0] + '/32', sips[1] + '/128'],
             'persistent_keepalive': 25},
            {'port_id': bare['id'], 'public_key': key(3), 'endpoint': None,
             'allowed_ips': [a['ip_address'] + ('/128' if ':' in
                                                a['ip_address'] else '/32')
                             for a in sorted(bare['fixed_ips'],
                                             key=lambda i: ':' in
                                             i['ip_address'])],
             'persistent_keepalive': None}],
            sorted(spokes, key=lambda s: s['public_key']))

    def test_get_hubs_filters(self):
        wg_agent(HOST)
        hub1, hub2 = self.hub(), self.hub()
        self.assertEqual([hub2['id']], [h['port_id'] for h in self.get_hubs(
            HOST, port_ids=[hub2['id'], 'gone'])['hubs']])
        self.assertEqual(sorted([hub1['id'], hub2['id']]),
                         [h['port_id'] for h in self.get_hubs(HOST)['hubs']])
        self.assertEqual({'host': HOST2, 'hubs': []}, self.get_hubs(HOST2))

    def test_get_hubs_pages(self):
        wg_agent(HOST)
        hubs = sorted([self.hub(), self.hub(), self.hub()],
                      key=lambda h: h['id'])
        for i, hub in enumerate(hubs):
            self.spoke([hub['id']], n=20 + i)
        self.spoke([hubs[0]['id']], n=30)
        cb = rpc.WireGuardRpcCallback(self.mech)
        ctx = n_context.get_admin_context()
        pages, after = [], None
        while True:
            page = cb.get_hubs(ctx, host=HOST,
                               page={'after': after, 'max_spokes': 2})
            self.assertEqual({'host', 'hubs', 'next'}, set(page))
            pages.append([h['port_id'] for h in page['hubs']])
            after = page['next']
            if after is None:
                break
            self.assertEqual(pages[-1][-1], after)
        # whole hubs only: 2 spokes, then 1 + 1, never a split hub
        self.assertEqual([[hubs[0]['id']], [hubs[1]['id'], hubs[2]['id']]],
                         pages)
        one = cb.get_hubs(ctx, host=HOST, port_ids=[hubs[2]['id']],
                          page={'after': None, 'max_spokes': 1})
        self.assertEqual(([hubs[2]['id']], None),
                         ([h['port_id'] for h in one['hubs']], one['next']))
        for bad in ('x', {'after': 5, 'max_spokes': 2},
                    {'after': None, 'max_spokes': 0},
                    {'after': None, 'max_spokes': True}):
            err = self.assertRaises(oslo_messaging.ExpectedException,
                                    cb.get_hubs, ctx, host=HOST, page=bad)
            self.assertIsInstance(err.exc_info[1], n_exc.InvalidInput)

    def test_hub_realized(self):
        wg_agent(HOST)
        hub = self.hub()
        spoke = self.spoke([hub['id']], host='device-host')
        self.casts.reset_mock()
        self.assertTrue(self.realize(hub['id']))
        port = self.show(hub['id'])
        details = port[pb.VIF_DETAILS]
        self.assertEqual((key(9), 51820, '203.0.113.1:51820',
                          'wg-' + hub['id'][:11], 'tun-x', 1420),
                         tuple(details[k] for k in c.HUB_DETAILS))
        self.assertEqual({'public_key': key(9),
                          'endpoint': '203.0.113.1:51820'}, port[pb.PROFILE])
        self.assertEqual((key(9), '203.0.113.1:51820', 51820),
                         (port['wireguard']['public_key'],
                          port['wireguard']['endpoint'],
                          port['wireguard']['listen_port']))
        self.assertEqual([spoke['id']],
                         [p['port_id'] for p in port['wireguard']['peers']])
        sp = self.show(spoke['id'])
        self.assertEqual(key(9), sp[pb.VIF_DETAILS]['peers'][0]['public_key'])
        self.assertEqual(key(9), sp['wireguard']['peers'][0]['public_key'])
        # the profile is mirrored in place: no rebind, so no cast back to
        # the agent that just reported the hub
        self.assertEqual([], self.cast_calls())
        self.assertEqual(c.VIF_TYPE_WIREGUARD, port[pb.VIF_TYPE])
        # idempotent: nothing changes, no rebind loop
        rev = port['revision_number']
        self.realize(hub['id'])
        self.assertEqual(rev, self.show(hub['id'])['revision_number'])
        # re-realized with a new port: everything follows
        self.realize(hub['id'], port=51999)
        sp = self.show(spoke['id'])
        self.assertEqual('203.0.113.1:51999',
                         sp[pb.VIF_DETAILS]['peers'][0]['endpoint'])
        self.assertEqual('203.0.113.1:51999',
                         self.show(hub['id'])[pb.PROFILE]['endpoint'])

    def test_binding_racing_hub_realized_is_healed(self):
        # ML2 commits a hub's first binding with the details it computed
        # before hub_realized landed: the next postcommit repairs them.
        wg_agent(HOST)
        hub = self.hub()
        self.realize(hub['id'])
        with db_api.CONTEXT_WRITER.using(self.context):
            self.assertTrue(port_details.update_active_binding(
                self.context, hub['id'],
                vif_details=payloads.hub_vif_details(None)))
        self.assertIsNone(self.show(hub['id'])[pb.VIF_DETAILS]['public_key'])
        self.update(hub['id'], name='renamed')
        details = self.show(hub['id'])[pb.VIF_DETAILS]
        self.assertEqual((key(9), 51820), (details['public_key'],
                                           details['listen_port']))

    def test_hub_realized_rejects_bad_input(self):
        hub = self.hub()
        spoke = self.spoke([hub['id']])
        ctx = n_context.get_admin_context()
        for args in ((key(1), 0, None), ('short', 51820, None),
                     (key(1), 51820, 'no-port')):
            with self.subTest(args=args):
                self.assertRaises(n_exc.InvalidInput, self.mech.hub_realized,
                                  ctx, hub['id'], *args, None, None, None)
        self.assertFalse(self.mech.hub_realized(
            ctx, spoke['id'], key(1), 51820, None, None, None, None))
        self.assertIsNone(db.get_row(self.context.session,
                                     hub['id']).public_key)

    def rpc_realized(self, hub_id, host, n=9):
        return rpc.WireGuardRpcCallback(self.mech).hub_realized(
            n_context.get_admin_context(), hub_id, key(n), 51820,
            '203.0.113.1:51820', 'wg-' + hub_id[:11], 'tun-x', 1420,
            host=host)

    def test_hub_realized_only_from_the_bound_host(self):
        wg_agent(HOST)
        wg_agent(HOST2)
        hub = self.hub()
        spoke = self.spoke([hub['id']], host='device-host')
        rev = self.show(hub['id'])['revision_number']
        # a live agent on another host, no host, an empty host: refused,
        # nothing changes
        for host in (HOST2, None, '', 'device-host'):
            with self.subTest(host=host):
                e = self.assertRaises(oslo_messaging.ExpectedException,
                                      self.rpc_realized, hub['id'], host)
                self.assertIsInstance(e.exc_info[1], n_exc.InvalidInput)
                self.assertIn('host', str(e.exc_info[1]))
        self.assertIsNone(db.get_row(self.context.session,
                                     hub['id']).public_key)
        self.assertEqual(rev, self.show(hub['id'])['revision_number'])
        self.assertIsNone(
            self.show(spoke['id'])[pb.VIF_DETAILS]['peers'][0]['public_key'])
        # the bound host's live agent is heard
        self.assertIsNone(self.rpc_realized(hub['id'], HOST))
        self.assertEqual(key(9), db.get_row(self.context.session,
                                            hub['id']).public_key)

    def test_hub_realized_refused_without_live_agent(self):
        agent = wg_agent(HOST)
        hub = self.hub()
        helpers.kill_agent(agent['id'])
        e = self.assertRaises(oslo_messaging.ExpectedException,
                              self.rpc_realized, hub['id'], HOST)
        self.assertIn('no live', str(e.exc_info[1]))
        self.assertIsNone(db.get_row(self.context.session,
                                     hub['id']).public_key)

    def test_hubs_changed_casts(self):
        wg_agent(HOST)
        hub = self.hub()
        self.assertEqual([(HOST, [hub['id']])], self.cast_calls())
        self.casts.reset_mock()
        spoke = self.spoke([hub['id']])
        self.assertEqual([(HOST, [hub['id']])], self.cast_calls())
        self.casts.reset_mock()
        self.update(spoke['id'], name='renamed')
        self.assertEqual([], self.cast_calls())
        self.update(spoke['id'], **{pb.PROFILE: {'public_key': key(1),
                                                 'peers': [hub['id']],
                                                 'endpoint': '192.0.2.9:7'}})
        self.assertEqual([(HOST, [hub['id']])], self.cast_calls())
        self.casts.reset_mock()
        self._delete('ports', spoke['id'])
        self.assertEqual([(HOST, [hub['id']])], self.cast_calls())
        self.casts.reset_mock()
        self._delete('ports', hub['id'])
        self.assertEqual([(HOST, [hub['id']])], self.cast_calls())
        self.assertIsNone(db.get_row(self.context.session, hub['id']))

    def test_rpc_listener_through_service_plugin(self):
        # neutron-server's RPC workers call start_rpc_listeners() on every
        # loaded service plugin: that is how our topic gets consumed.
        from neutron import service as n_service
        plugin = directory.get_plugin('WIREGUARD')
        self.assertIsNotNone(plugin)
        self.assertTrue(callable(getattr(
            plugin, n_service.RpcWorker.start_listeners_method)))
        with mock.patch('neutron_lib.rpc.Connection') as conn:
            n_service.RpcWorker([plugin]).start()
        conn.return_value.create_consumer.assert_called_once_with(
            'q-wireguard-plugin', mock.ANY, fanout=False)
        (endpoint,) = conn.return_value.create_consumer.call_args[0][1]
        self.assertIs(realized, endpoint.driver)
