#!/usr/bin/python3
"""The driver against a real neutron-server (scripts/neutron-harness.sh).

Environment (from `neutron-harness.sh env`): NEUTRON_API, OS_ENDPOINT,
TRANSPORT_URL, NEUTRON_CONF. A test-only fake agent (fake_agent.py) makes
binding possible and records the hubs_changed casts it receives.

Prints one line per check and "server: N passed, M failed"; exit 1 on
failure. Everything it creates is named wg-drv-<run> and deleted at the end.
"""

import base64
import configparser
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_agent  # noqa: E402

API = os.environ['NEUTRON_API']
OS_ENDPOINT = os.environ['OS_ENDPOINT']
URL = os.environ['TRANSPORT_URL']
RUN = uuid.uuid4().hex[:6]
NAME = 'wg-drv-' + RUN
PROJECT = 'p-' + RUN
HOST, HOST2, NOAGENT = NAME + '-a', NAME + '-b', NAME + '-noagent'
MISSING = str(uuid.uuid4())


def key(n):
    return base64.b64encode(bytes([n]) * 32).decode()


HUB_KEY = key(200)


class Results(object):
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=''):
        if ok:
            self.passed += 1
            print('ok   %s' % name)
        else:
            self.failed += 1
            print('FAIL %s %s' % (name, detail))
        return ok


R = Results()


def http(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def must(method, path, body=None, status=(200, 201, 204)):
    code, data = http(method, path, body)
    if code not in status:
        raise RuntimeError('%s %s -> %s %s' % (method, path, code, data))
    return data


def port_create(**attrs):
    attrs.setdefault('project_id', PROJECT)
    attrs.setdefault('name', NAME)
    return http('POST', '/ports', {'port': attrs})


def make_port(**attrs):
    code, data = port_create(**attrs)
    if code != 201:
        raise RuntimeError('port create -> %s %s' % (code, data))
    return data['port']


def show(port_id):
    return must('GET', '/ports/' + port_id)['port']


def port_count():
    return len(must('GET', '/ports?fields=id')['ports'])


def osc(*args, plugin=False):
    cmd = ['openstack', '--os-auth-type', 'none', '--os-endpoint',
           OS_ENDPOINT] + list(args)
    env = {'PATH': '/usr/bin:/bin'}
    if plugin:  # the `openstack wireguard` plugin of this tree (egg-info)
        env['PYTHONPATH'] = os.path.join(os.path.dirname(
            os.path.abspath(__file__)), '..', '..')
    res = subprocess.run(cmd, env=env, text=True,
                         capture_output=True, timeout=120)
    if res.returncode:
        raise RuntimeError('%s: %s' % (' '.join(args), res.stderr.strip()))
    return res.stdout


def table_role(port_id):
    """The role as stored in the driver's own table (MariaDB)."""
    conf = configparser.ConfigParser(interpolation=None, strict=False)
    conf.read(os.environ['NEUTRON_CONF'])
    db = urllib.parse.urlparse(conf['database']['connection']).path.lstrip(
        '/')
    out = subprocess.run(
        ['mariadb', '--socket=/run/mysqld/mysqld.sock', '-N', '-B', '-e',
         "SELECT role FROM `%s`.wireguard_ports WHERE port_id='%s'"
         % (db, port_id)], capture_output=True, text=True)
    return out.stdout.strip() or None


class Events(object):
    """hubs_changed casts received by the fake agent."""

    def __init__(self, path):
        self.path = path
        self.mark()

    def read(self):
        try:
            with open(self.path) as f:
                return [json.loads(line) for line in f]
        except FileNotFoundError:
            return []

    def mark(self):
        self.offset = len(self.read())

    def wait(self, host, port_id, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            for ev in self.read()[self.offset:]:
                if ev['host'] == host and port_id in ev['port_ids']:
                    return True
            time.sleep(0.2)
        return False


def wait_for(fn, timeout=20):
    end = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > end:
            return value
        time.sleep(0.5)


def bad_create_catalogue(net, net2, hub, plain, other_hub):
    spoke = {'network_id': net, 'device_owner': 'channel:wireguard:spoke'}
    hubp = {'network_id': net, 'device_owner': 'channel:wireguard:hub',
            'binding:host_id': HOST}

    def sp(**profile):
        base = {'public_key': key(1), 'peers': [hub]}
        base.update(profile)
        return dict(spoke, **{'binding:profile': base})

    def drop(d, k):
        d = dict(d)
        del d[k]
        return d
    return [
        ('spoke without public_key', 'binding:profile.public_key',
         dict(spoke, **{'binding:profile': {'peers': [hub]}})),
        ('public_key of 43 chars', 'binding:profile.public_key',
         sp(public_key=key(1)[:-1])),
        ('public_key not canonical', 'binding:profile.public_key',
         sp(public_key=key(1)[:-2] + 'B=')),
        ('public_key of 33 bytes', 'binding:profile.public_key',
         sp(public_key=base64.b64encode(bytes(33)).decode())),
        ('public_key not a string', 'binding:profile.public_key',
         sp(public_key=123)),
        ('endpoint without port', 'binding:profile.endpoint',
         sp(endpoint='vpn.example.org')),
        ('endpoint with a host name (IP literals only)',
         'binding:profile.endpoint', sp(endpoint='vpn.example.org:51820')),
        ('endpoint with an IPv6 zone id', 'binding:profile.endpoint',
         sp(endpoint='[fe80::1%eth0]:51820')),
        ('endpoint port with a leading zero', 'binding:profile.endpoint',
         sp(endpoint='198.51.100.7:051820')),
        ('endpoint port 0', 'binding:profile.endpoint',
         sp(endpoint='198.51.100.7:0')),
        ('endpoint port 65536', 'binding:profile.endpoint',
         sp(endpoint='198.51.100.7:65536')),
        ('endpoint IPv6 without brackets', 'binding:profile.endpoint',
         sp(endpoint='fd00::1:51820')),
        ('endpoint bad IPv4', 'binding:profile.endpoint',
         sp(endpoint='1.2.3.256:51820')),
        ('endpoint bad host name', 'binding:profile.endpoint',
         sp(endpoint='bad_host!:51820')),
        ('peers not a list', 'binding:profile.peers', sp(peers=hub)),
        ('peers not UUIDs', 'binding:profile.peers', sp(peers=['hub-1'])),
        ('peers: no such port', 'binding:profile.peers',
         sp(peers=[MISSING])),
        ('peers: not a hub', 'binding:profile.peers', sp(peers=[plain])),
        ('peers: hub on another network', 'binding:profile.peers',
         sp(peers=[other_hub])),
        ('peers: duplicate', 'binding:profile.peers', sp(peers=[hub, hub])),
        ('persistent_keepalive -1', 'binding:profile.persistent_keepalive',
         sp(persistent_keepalive=-1)),
        ('persistent_keepalive 65536',
         'binding:profile.persistent_keepalive',
         sp(persistent_keepalive=65536)),
        ('persistent_keepalive as string',
         'binding:profile.persistent_keepalive',
         sp(persistent_keepalive='25')),
        ('private_key', 'binding:profile.private_key',
         sp(private_key=key(9))),
        ('nested PrivateKey', 'binding:profile.device.PrivateKey',
         sp(device={'PrivateKey': key(9)})),
        ('private-key in a list', 'binding:profile.extra[0].private-key',
         sp(extra=[{'private-key': key(9)}])),
        ('privatekey on a hub', 'binding:profile.privatekey',
         dict(hubp, **{'binding:profile': {'privatekey': key(9)}})),
        ('unknown profile key', 'binding:profile.colour',
         sp(colour='blue')),
        ('wg_role not hub/spoke', 'binding:profile.wg_role',
         {'network_id': net, 'binding:profile': {'wg_role': 'relay'}}),
        ('wg_role contradicts device_owner', 'binding:profile.wg_role',
         sp(wg_role='hub')),
        ('unknown channel:wireguard: role', 'device_owner',
         {'network_id': net, 'device_owner': 'channel:wireguard:relay'}),
        ('hub without binding:host_id', 'binding:host_id',
         drop(hubp, 'binding:host_id')),
        ('hub without fixed IPs', 'fixed_ips', dict(hubp, fixed_ips=[])),
        ('hub with peers', 'binding:profile.peers',
         dict(hubp, **{'binding:profile': {'peers': [hub]}})),
        ('hub with its own public_key', 'binding:profile.public_key',
         dict(hubp, **{'binding:profile': {'public_key': key(3)}})),
        ('hub root_namespace not a bool', 'binding:profile.root_namespace',
         dict(hubp, **{'binding:profile': {'root_namespace': 'yes'}})),
        ('spoke with root_namespace', 'binding:profile.root_namespace',
         sp(root_namespace=True)),
        ('spoke vnic_type direct', 'binding:vnic_type',
         dict(sp(), **{'binding:vnic_type': 'direct'})),
    ]


def run_catalogue_creates(cases):
    for name, field, body in cases:
        before = port_count()
        code, data = port_create(**body)
        msg = (data or {}).get('NeutronError', {}).get('message', '')
        after = port_count()
        R.check('400 create: %s' % name,
                code == 400 and field in msg and before == after,
                '(%s %s; ports %d -> %d)' % (code, msg or data, before,
                                             after))


def run_catalogue_updates(cases):
    for name, port_id, attrs, field in cases:
        before = show(port_id)
        code, data = http('PUT', '/ports/' + port_id, {'port': attrs})
        msg = (data or {}).get('NeutronError', {}).get('message', '')
        after = show(port_id)
        same = (before['revision_number'] == after['revision_number'] and
                before['binding:profile'] == after['binding:profile'])
        R.check('400 update: %s' % name,
                code == 400 and field in msg and same,
                '(%s %s; unchanged=%s)' % (code, msg or data, same))


CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                   'build', 'rel', 'bin', 'neutron-wireguard')


def run_text(*cmd, stdin=None):
    res = subprocess.run(list(cmd), input=stdin, text=True,
                         capture_output=True, timeout=60)
    if res.returncode:
        raise RuntimeError('%s: %s' % (' '.join(cmd), res.stderr.strip()))
    return res.stdout.strip()


class HaKeys(object):
    """The two nodes' enrollment keys (as the agents make them) and the
    primary's hub key, in a private directory; only public keys and the
    sealed envelope ever reach Neutron."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='nwg-drv-ha-')
        self.enroll = {}
        for host in (HOST, HOST2):
            path = os.path.join(self.dir, host + '.enroll')
            self.enroll[host] = (path, run_text(CLI, 'ha', 'enroll-pub',
                                                path))
        self.hub_key = os.path.join(self.dir, 'hub.key')
        old = os.umask(0o077)
        try:
            with open(self.hub_key, 'w') as f:
                f.write(run_text('wg', 'genkey') + '\n')
        finally:
            os.umask(old)
        with open(self.hub_key) as f:
            self.hub_priv = f.read().strip()
        self.hub_pub = run_text('wg', 'pubkey', stdin=self.hub_priv + '\n')

    def seal(self, port_id, host):
        return run_text(CLI, 'ha', 'seal', '--port-id', port_id, '--key',
                        self.hub_key, '--to', self.enroll[host][1])

    def unseal(self, port_id, host, envelope):
        out = os.path.join(self.dir, 'unsealed-%s.key' % host)
        run_text(CLI, 'ha', 'unseal', '--port-id', port_id, '--key',
                 self.enroll[host][0], '--out', out, stdin=envelope)
        with open(out) as f:
            return f.read().strip()

    def cleanup(self):
        subprocess.run(['rm', '-rf', self.dir])


def db_dump(port_id):
    """Every row Neutron holds about port_id in MariaDB, as text."""
    conf = configparser.ConfigParser(interpolation=None, strict=False)
    conf.read(os.environ['NEUTRON_CONF'])
    db = urllib.parse.urlparse(conf['database']['connection']).path.lstrip(
        '/')
    sql = ';'.join("SELECT * FROM `%s`.%s WHERE %s='%s'" % (db, t, col,
                                                            port_id)
                   for t, col in (('wireguard_ports', 'port_id'),
                                  ('wireguard_ha_hosts', 'port_id'),
                                  ('ml2_port_bindings', 'port_id'),
                                  ('ports', 'id')))
    sql += ";SELECT configurations FROM `%s`.agents WHERE host IN " \
           "('%s', '%s')" % (db, HOST, HOST2)
    out = subprocess.run(['mariadb', '--socket=/run/mysqld/mysqld.sock',
                          '-N', '-B', '-e', sql], capture_output=True,
                         text=True)
    return out.stdout if out.returncode == 0 else None


def ha_phase(call, ev, net, keys, created):
    """HA hub (doc/ha.md): both hosts build it; the key reaches the
    secondary sealed; Neutron holds only ciphertext."""
    ev.mark()
    hub = make_port(network_id=net, device_owner='channel:wireguard:hub',
                    **{'binding:host_id': HOST, 'binding:profile': {
                        'wireguard_ha': {'hosts': [HOST2, HOST]}}})
    created['ports'].append(hub['id'])
    R.check('HA hub: hubs_changed cast to both hosts',
            ev.wait(HOST, hub['id']) and ev.wait(HOST2, hub['id']))
    st, body = port_create(network_id=net,
                           device_owner='channel:wireguard:hub',
                           **{'binding:host_id': HOST, 'binding:profile': {
                               'wireguard_ha': {'hosts': [HOST2, NOAGENT]}}})
    R.check('HA hub without its bound host: 400',
            st == 400 and 'wireguard_ha' in str(body), (st, body))
    mine = [h for h in call('get_hubs', host=HOST2)['hubs']
            if h['port_id'] == hub['id']]
    ha = mine[0].get('ha', {}) if mine else {}
    R.check('get_hubs to the secondary: role, peer enrollment key',
            ha.get('role') == 'secondary' and ha.get('primary') == HOST and
            ha.get('peer_enroll_pub') == keys.enroll[HOST][1] and
            ha.get('envelope') is None, ha)
    ha = [h for h in call('get_hubs', host=HOST)['hubs']
          if h['port_id'] == hub['id']][0].get('ha', {})
    R.check('get_hubs to the primary: role, the secondary\'s key',
            ha.get('role') == 'primary' and
            ha.get('peer_enroll_pub') == keys.enroll[HOST2][1] and
            ha.get('peer_sealed') is False, ha)
    envelope = keys.seal(hub['id'], HOST2)
    report = dict(port_id=hub['id'], public_key=keys.hub_pub,
                  listen_port=51777, endpoint='203.0.113.9:51777',
                  interface='wg-' + hub['id'][:11], namespace=None,
                  mtu=1420)
    ev.mark()
    call('hub_realized', host=HOST, ha_envelope=envelope, ha_state='active',
         **report)
    R.check('primary\'s report: the secondary is told',
            ev.wait(HOST2, hub['id']))
    ha = [h for h in call('get_hubs', host=HOST2)['hubs']
          if h['port_id'] == hub['id']][0]
    R.check('secondary gets the envelope, the key and the listen port',
            ha['ha'].get('envelope') == envelope and
            ha['public_key'] == keys.hub_pub and ha['listen_port'] == 51777,
            ha)
    R.check('only the secondary can open it: the primary\'s hub key',
            keys.unseal(hub['id'], HOST2, ha['ha']['envelope']) ==
            keys.hub_priv)
    try:
        keys.unseal(hub['id'], HOST, ha['ha']['envelope'])
        opened = True
    except RuntimeError:
        opened = False
    R.check('the primary\'s own enrollment key cannot open it', not opened)
    for who, kw, text in ((NOAGENT, {}, 'host'),
                          (HOST2, {'ha_envelope': envelope}, 'primary'),
                          (HOST2, {'listen_port': 5}, 'primary')):
        args = dict(report, **kw)
        try:
            call('hub_realized', host=who, ha_state='standby', **args)
            refused = ''
        except Exception as e:
            refused = str(e)
        R.check('hub_realized refused (%s, %s)' % (who, sorted(kw)),
                text in refused, refused)
    call('hub_realized', host=HOST2, ha_state='standby', **report)
    got = show(hub['id'])['wireguard']
    R.check('port wireguard attribute: both hosts, the active one',
            got.get('ha') == {'hosts': sorted([HOST, HOST2]),
                              'primary': HOST, 'active': HOST,
                              'states': {HOST: 'active',
                                         HOST2: 'standby'}} and
            got['public_key'] == keys.hub_pub, got)
    # `openstack port show` of this client release lists only the SDK's
    # known columns; the plugin shows the `wireguard` attribute
    shown = osc('wireguard', 'hub', 'show', hub['id'], '-f', 'json',
                plugin=True)
    attr = json.loads(shown)
    R.check('openstack wireguard hub show names both hosts and the active '
            'one', attr.get('ha_hosts') == ', '.join(sorted([HOST, HOST2]))
            and attr.get('ha_active') == HOST and envelope not in shown,
            shown)
    dump = db_dump(hub['id'])
    R.check('Neutron holds the ciphertext, never the hub private key',
            dump is not None and envelope in dump and
            keys.hub_priv not in dump and
            base64.b64decode(keys.hub_priv).hex() not in dump.lower(),
            dump and len(dump))
    router = json.loads(osc('router', 'create', NAME + '-ha', '-f', 'json'))
    created['routers'].append(router['id'])
    st, body = http('PUT', '/routers/%s/add_router_interface' % router['id'],
                    {'port_id': hub['id']})
    R.check('router add of an HA hub: 409, says why',
            st == 409 and 'highly available' in str(body), (st, body))
    R.check('router add refused: the HA hub is unchanged',
            show(hub['id'])['device_owner'] == 'channel:wireguard:hub')


def main():
    events_path = tempfile.mktemp(prefix='nwg-drv-events-')
    transport = fake_agent.transport_for(URL)
    keys = HaKeys()
    agent = fake_agent.FakeAgent(
        transport, [HOST, HOST2], events_path, 3,
        conf={h: {'enroll_pub': keys.enroll[h][1]} for h in (HOST, HOST2)})
    ev = Events(events_path)
    created = {'ports': [], 'routers': [], 'networks': []}

    def call(method, **kw):
        return fake_agent.call_plugin(transport, method, **kw)
    try:
        agent.start()
        R.check('fake agents alive', wait_for(lambda: all(
            a['alive'] for a in must(
                'GET', '/agents?binary=neutron-wireguard-agent')['agents']
            if a['host'] in (HOST, HOST2)) and len(must(
                'GET', '/agents?host=%s&host=%s' % (HOST, HOST2))['agents'])
            == 2))
        nets = []
        for i, cidr in enumerate(('10.199.0.0/24', '10.198.0.0/24')):
            net = must('POST', '/networks', {'network': {
                'name': '%s-%d' % (NAME, i), 'project_id': PROJECT}})
            net = net['network']['id']
            created['networks'].append(net)
            must('POST', '/subnets', {'subnet': {
                'network_id': net, 'project_id': PROJECT, 'ip_version': 4,
                'cidr': cidr, 'enable_dhcp': False}})
            nets.append(net)
        net, net2 = nets
        must('POST', '/subnets', {'subnet': {
            'network_id': net, 'project_id': PROJECT, 'ip_version': 6,
            'cidr': 'fd00:199::/64', 'enable_dhcp': False}})

        # ---- hub create: bound on the agent's host, hubs_changed cast
        ev.mark()
        hub = make_port(network_id=net, device_owner='channel:wireguard:hub',
                        **{'binding:host_id': HOST, 'binding:profile': {}})
        created['ports'].append(hub['id'])
        R.check('hub bound (vif_type wireguard) with a live agent',
                hub['binding:vif_type'] == 'wireguard', hub)
        R.check('hub wireguard attribute', hub['wireguard'] == {
            'role': 'hub', 'public_key': None, 'endpoint': None,
            'listen_port': None, 'peers': []}, hub['wireguard'])
        R.check('hubs_changed cast on hub create', ev.wait(HOST, hub['id']))
        plain = make_port(network_id=net, **{'binding:host_id': HOST})
        created['ports'].append(plain['id'])
        R.check('ordinary port on the agent host not bound by us',
                plain['binding:vif_type'] != 'wireguard' and
                plain['wireguard'] is None, plain['binding:vif_type'])
        other = make_port(network_id=net2,
                          device_owner='channel:wireguard:hub',
                          **{'binding:host_id': HOST})
        created['ports'].append(other['id'])

        # ---- the bad-input catalogue (creates)
        cases = bad_create_catalogue(net, net2, hub['id'], plain['id'],
                                     other['id'])
        run_catalogue_creates(cases)

        # ---- spokes
        ev.mark()
        spoke = make_port(
            network_id=net, device_owner='channel:wireguard:spoke',
            **{'binding:profile': {'public_key': key(1), 'peers': [hub['id']],
                                   'endpoint': '198.51.100.7:51820',
                                   'persistent_keepalive': 25}})
        created['ports'].append(spoke['id'])
        R.check('hubs_changed cast on spoke create',
                ev.wait(HOST, hub['id']))
        spoke_b = make_port(
            network_id=net, device_owner='channel:wireguard:spoke',
            **{'binding:host_id': NOAGENT,
               'binding:profile': {'public_key': key(2),
                                   'peers': [hub['id']],
                                   'endpoint': '198.51.100.8'}})
        created['ports'].append(spoke_b['id'])
        R.check('spoke with a host bound without an agent',
                spoke_b['binding:vif_type'] == 'wireguard' and
                [p['port_id'] for p in spoke_b['binding:vif_details']
                 ['peers']] == [hub['id']], spoke_b['binding:vif_details'])
        run_catalogue_creates([(
            'public_key already used on the same hub',
            'binding:profile.public_key',
            {'network_id': net, 'device_owner': 'channel:wireguard:spoke',
             'binding:profile': {'public_key': key(1),
                                 'peers': [hub['id']]}})])

        # ---- get_hubs: exactly the doc/contracts.md shape
        result = call('get_hubs', host=HOST)
        hubs = {h['port_id']: h for h in result['hubs']}
        R.check('get_hubs lists the hubs of the host',
                set(hubs) == {hub['id'], other['id']}, list(hubs))
        h = hubs.get(hub['id'], {})
        R.check('get_hubs hub keys', sorted(h) == sorted([
            'port_id', 'project_id', 'network_id', 'admin_state_up',
            'fixed_ips', 'mtu', 'mac_address', 'gateways', 'root_namespace',
            'public_key', 'listen_port', 'router_id', 'spokes']), sorted(h))
        v4 = [i['ip_address'] for i in hub['fixed_ips']
              if ':' not in i['ip_address']][0]
        R.check('get_hubs hub values',
                h.get('project_id') == PROJECT and h.get('mtu') and
                v4 + '/24' in h.get('fixed_ips', []) and
                any(x.endswith('/64') for x in h.get('fixed_ips', [])) and
                h.get('router_id') is None and h.get('public_key') is None,
                h)
        spokes = {s['port_id']: s for s in h.get('spokes', [])}
        s1 = spokes.get(spoke['id'], {})
        s1_ips = sorted(i['ip_address'] + ('/128' if ':' in i['ip_address']
                                           else '/32')
                        for i in spoke['fixed_ips'])
        R.check('get_hubs spoke entry', s1 == {
            'port_id': spoke['id'], 'public_key': key(1),
            'endpoint': '198.51.100.7:51820',
            'allowed_ips': s1.get('allowed_ips'),
            'persistent_keepalive': 25} and sorted(
                s1.get('allowed_ips', [])) == s1_ips, s1)
        R.check('get_hubs: bare-IP endpoint given as null',
                spokes.get(spoke_b['id'], {}).get('endpoint', 1) is None)
        R.check('get_hubs port_ids filter', [x['port_id'] for x in call(
            'get_hubs', host=HOST, port_ids=[other['id'], MISSING])['hubs']]
            == [other['id']])
        # ---- get_hubs 1.2: a hub named with its digest comes back unchanged
        page = {'after': None, 'max_spokes': 1000}
        first = call('get_hubs', host=HOST, page=page, digests={})['hubs']
        again = call('get_hubs', host=HOST, page=page, digests={
            x['port_id']: x['digest'] for x in first})['hubs']
        R.check('get_hubs 1.2: every hub has a digest; named, it comes '
                'back unchanged, without spokes',
                first and all(x.get('digest') for x in first) and
                [x['port_id'] for x in again] ==
                [x['port_id'] for x in first] and all(
                    x == {'port_id': x['port_id'], 'unchanged': True,
                          'digest': y['digest']}
                    for x, y in zip(again, first)))

        # ---- hub_realized
        endpoint = '203.0.113.10:51820'
        # forged: another live agent's host (and no host at all) is refused
        # and changes nothing (issue #16)
        before = show(hub['id'])
        for forged_host in (HOST2, None):
            try:
                call('hub_realized', port_id=hub['id'], public_key=key(7),
                     listen_port=51999, endpoint='192.0.2.66:51999',
                     interface='evil', namespace=None, mtu=1420,
                     host=forged_host)
                R.check('forged hub_realized (host %s) refused' % forged_host,
                        False)
            except Exception as e:
                R.check('forged hub_realized (host %s) refused' % forged_host,
                        'host' in str(e), e)
        after = show(hub['id'])
        R.check('forged hub_realized changed nothing',
                (after['revision_number'], after['binding:vif_details'],
                 after['binding:profile']) ==
                (before['revision_number'], before['binding:vif_details'],
                 before['binding:profile']), after)
        ev.mark()
        call('hub_realized', port_id=hub['id'], public_key=HUB_KEY,
             listen_port=51820, endpoint=endpoint,
             interface='wg-' + hub['id'][:11], namespace='tun-' + PROJECT,
             mtu=1420, host=HOST)
        got = show(hub['id'])
        det = got['binding:vif_details']
        R.check('hub_realized fills vif_details', (
            det.get('public_key'), det.get('listen_port'),
            det.get('endpoint'), det.get('interface'),
            det.get('namespace'), det.get('mtu')) == (
                HUB_KEY, 51820, endpoint, 'wg-' + hub['id'][:11],
                'tun-' + PROJECT, 1420), det)
        R.check('hub_realized fills the wireguard attribute',
                (got['wireguard']['public_key'], got['wireguard']['endpoint'],
                 got['wireguard']['listen_port']) ==
                (HUB_KEY, endpoint, 51820) and
                sorted(p['port_id'] for p in got['wireguard']['peers']) ==
                sorted([spoke['id'], spoke_b['id']]), got['wireguard'])
        R.check('hub_realized writes public_key/endpoint into the profile',
                got['binding:profile'] == {'public_key': HUB_KEY,
                                           'endpoint': endpoint},
                got['binding:profile'])
        R.check('hub still bound after the profile rewrite',
                got['binding:vif_type'] == 'wireguard')
        want_peer = {'port_id': hub['id'], 'public_key': HUB_KEY,
                     'endpoint': endpoint,
                     'allowed_ips': ['10.199.0.0/24', 'fd00:199::/64'],
                     'mtu': 1420}
        R.check('spoke lists its hub (wireguard attribute)',
                show(spoke['id'])['wireguard']['peers'] == [want_peer],
                show(spoke['id'])['wireguard'])
        R.check('bound spoke vif_details.peers refreshed',
                show(spoke_b['id'])['binding:vif_details']['peers'] ==
                [want_peer], show(spoke_b['id'])['binding:vif_details'])
        R.check('get_hubs reports the realized key',
                [x['public_key'] for x in call(
                    'get_hubs', host=HOST, port_ids=[hub['id']])['hubs']] ==
                [HUB_KEY])
        rev = got['revision_number']
        call('hub_realized', port_id=hub['id'], public_key=HUB_KEY,
             listen_port=51820, endpoint=endpoint,
             interface='wg-' + hub['id'][:11], namespace='tun-' + PROJECT,
             mtu=1420, host=HOST)
        time.sleep(2)
        R.check('hub_realized again: no rewrite, no rebind loop',
                show(hub['id'])['revision_number'] == rev)
        try:
            call('hub_realized', port_id=hub['id'], public_key='nope',
                 listen_port=51820, endpoint=endpoint, interface=None,
                 namespace=None, mtu=None, host=HOST)
            R.check('hub_realized rejects a bad key', False)
        except Exception as e:
            R.check('hub_realized rejects a bad key',
                    'public_key' in str(e), e)

        # ---- the bad-input catalogue (updates)
        run_catalogue_updates([
            ('hub -> spoke role', hub['id'],
             {'binding:profile': {'wg_role': 'spoke'}}, 'wg_role'),
            ('hub device_owner -> spoke', hub['id'],
             {'device_owner': 'channel:wireguard:spoke'}, 'device_owner'),
            ('hub loses its host', hub['id'], {'binding:host_id': ''},
             'binding:host_id'),
            ('hub loses its fixed IPs', hub['id'], {'fixed_ips': []},
             'fixed_ips'),
            ('hub public_key forged', hub['id'],
             {'binding:profile': {'public_key': key(7),
                                  'endpoint': endpoint}}, 'public_key'),
            ('spoke bad public_key', spoke['id'],
             {'binding:profile': {'public_key': 'AAAA'}}, 'public_key'),
            ('spoke private_key added', spoke['id'],
             {'binding:profile': {'public_key': key(1),
                                  'private_key': key(8)}}, 'private_key'),
            ('spoke peers: no such port', spoke['id'],
             {'binding:profile': {'public_key': key(1),
                                  'peers': [MISSING]}}, 'peers'),
            ('spoke bad endpoint', spoke['id'],
             {'binding:profile': {'public_key': key(1),
                                  'endpoint': '[::1]:0'}}, 'endpoint'),
            ('spoke unknown key', spoke['id'],
             {'binding:profile': {'public_key': key(1), 'x': 1}},
             'binding:profile.x'),
        ])

        # ---- spoke update / delete are cast to the hub's host
        # (get_hubs 1.3: the update comes back as a delta of that spoke)
        snap = {x['port_id']: x for x in call(
            'get_hubs', host=HOST, page=page, digests={}, deltas=[],
            delta_min=1)['hubs']}
        ev.mark()
        must('PUT', '/ports/' + spoke['id'], {'port': {'binding:profile': {
            'public_key': key(1), 'peers': [hub['id']],
            'endpoint': '198.51.100.9:51820'}}})
        R.check('hubs_changed cast on spoke update',
                ev.wait(HOST, hub['id']))
        base = snap[hub['id']]['digest']
        got = [x for x in call('get_hubs', host=HOST, page=page,
                               digests={hub['id']: base},
                               deltas=[hub['id']], delta_min=1)['hubs']
               if x['port_id'] == hub['id']]
        R.check('get_hubs 1.3: the hub (%d spokes) comes back as a delta of '
                'the updated spoke' % len(snap[hub['id']]['spokes']),
                len(snap[hub['id']]['spokes']) > 1 and got and
                got[0].get('base') == base and got[0]['removed'] == [] and
                [(x['port_id'], x['endpoint']) for x in got[0]['spokes']] ==
                [(spoke['id'], '198.51.100.9:51820')], got)
        ev.mark()
        must('DELETE', '/ports/' + spoke['id'])
        created['ports'].remove(spoke['id'])
        R.check('hubs_changed cast on spoke delete',
                ev.wait(HOST, hub['id']))
        R.check('deleted spoke gone from get_hubs', spoke['id'] not in [
            s['port_id'] for s in call('get_hubs', host=HOST,
                                       port_ids=[hub['id']])['hubs'][0]
            ['spokes']])

        # ---- highly available hub (doc/ha.md)
        ha_phase(call, ev, net, keys, created)

        # ---- router add port rewrites device_owner; the role survives
        router = json.loads(osc('router', 'create', NAME, '-f', 'json'))
        created['routers'].append(router['id'])
        osc('router', 'add', 'port', router['id'], hub['id'])
        got = show(hub['id'])
        R.check('router add port: device_owner rewritten',
                got['device_owner'] == 'network:router_interface' and
                got['device_id'] == router['id'], got['device_owner'])
        R.check('router add port: still a hub (attribute and table)',
                got['wireguard']['role'] == 'hub' and
                table_role(hub['id']) == 'hub' and
                got['binding:vif_type'] == 'wireguard',
                (got['wireguard'], table_role(hub['id'])))
        R.check('get_hubs: router_id of the attached hub', [
            x['router_id'] for x in call('get_hubs', host=HOST,
                                         port_ids=[hub['id']])['hubs']] ==
            [router['id']])
        # an L3 agent of another node rewriting binding:host_id to its own
        # host is refused: the hub's key never leaves its node (issue #13)
        ev.mark()
        st, body = http('PUT', '/ports/' + hub['id'],
                        {'port': {'binding:host_id': HOST2}})
        got = show(hub['id'])
        R.check('host rewrite to another node: 409, says why',
                st == 409 and 're-bound to ' + HOST2 in str(body), (st, body))
        R.check('host rewrite refused: still bound on its node, still a hub',
                got['binding:vif_type'] == 'wireguard' and
                got['binding:host_id'] == HOST and
                got['wireguard']['role'] == 'hub', got['binding:host_id'])
        kept = call('get_hubs', host=HOST, port_ids=[hub['id']])['hubs']
        R.check('host rewrite refused: get_hubs unchanged on its node',
                [(x['port_id'], x['router_id'], x['public_key'])
                 for x in kept] == [(hub['id'], router['id'], HUB_KEY)] and
                hub['id'] not in [x['port_id'] for x in call(
                    'get_hubs', host=HOST2)['hubs']], kept)
        osc('router', 'remove', 'port', router['id'], hub['id'])
        created['ports'].remove(hub['id'])
        R.check('router remove port deletes the hub and its row',
                http('GET', '/ports/' + hub['id'])[0] == 404 and
                table_role(hub['id']) is None)
    except Exception as e:
        traceback.print_exc()
        R.check('no unexpected error', False, e)
    finally:
        for router in created['routers']:
            http('DELETE', '/routers/' + router)
        for port in created['ports']:
            http('DELETE', '/ports/' + port)
        for net in created['networks']:
            http('DELETE', '/networks/' + net)
        agent.stop()
        # the fake agents' rows: a dead agent row misleads every client
        # that picks a host from the agent list
        for host in (HOST, HOST2):
            for row in (http('GET', '/agents?host=' + host)[1] or
                        {}).get('agents', []):
                http('DELETE', '/agents/' + row['id'])
        left = (http('GET', '/agents?host=%s&host=%s' % (HOST, HOST2))[1]
                or {}).get('agents', [])
        R.check('fake agents\' rows deleted', not left, left)
        keys.cleanup()
        try:
            os.unlink(events_path)
        except OSError:
            pass
    print('server: %d passed, %d failed' % (R.passed, R.failed), flush=True)
    transport.cleanup()
    os._exit(1 if R.failed else 0)


if __name__ == '__main__':
    main()
