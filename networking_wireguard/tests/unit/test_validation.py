"""Pure validation rules (no Neutron fixtures: fast)."""

import base64
import json
import os
import unittest

from neutron_lib import exceptions as n_exc

from networking_wireguard import validation as v

KEY = base64.b64encode(bytes(range(32))).decode()


class TestKeys(unittest.TestCase):

    def test_public_keys(self):
        self.assertTrue(v.is_public_key(KEY))
        bad = [KEY[:-1],                                # 43 chars
               KEY[:-2] + 'B=',                         # non-canonical bits
               base64.b64encode(bytes(33)).decode(),    # 33 bytes, 44 chars
               base64.b64encode(bytes(31)).decode(),    # 31 bytes
               KEY[:10] + '!' + KEY[11:],               # not base64
               KEY[:10] + '\n' + KEY[11:],
               ' ' + KEY[1:], None, 42, b'x' * 44]
        for value in bad:
            with self.subTest(value=value):
                self.assertFalse(v.is_public_key(value))


class TestEndpoints(unittest.TestCase):

    def test_good(self):
        for value, host, port in [('198.51.100.7:51820', '198.51.100.7',
                                   51820),
                                  ('[fd00::1]:1', 'fd00::1', 1),
                                  ('192.0.2.1:65535', '192.0.2.1', 65535)]:
            with self.subTest(value=value):
                self.assertEqual((host, port),
                                 v.parse_endpoint(value, 'endpoint'))

    def test_bare_ip_only_when_allowed(self):
        self.assertEqual(('192.0.2.1', None),
                         v.parse_endpoint('192.0.2.1', 'e', True))
        self.assertEqual(('fd00::5', None),
                         v.parse_endpoint('fd00::5', 'e', True))
        self.assertIsNone(v.dialable_endpoint('192.0.2.1'))
        self.assertEqual('192.0.2.1:9', v.dialable_endpoint('192.0.2.1:9'))
        self.assertRaises(n_exc.InvalidInput, v.parse_endpoint,
                          '192.0.2.1', 'e')

    def test_bad(self):
        for value in ['vpn.example.org', 'vpn.example.org:65535',
                      'localhost:51820', '[fe80::1%eth0]:1', '1.2.3.4:080',
                      'host:0', 'host:65536', 'host:-1',
                      'host:+5', 'host:', ':51820', 'fd00::1:51820',
                      '[fd00::zz]:51820', '[fd00::1]', '[fd00::1]51820',
                      'bad_host!:51820', '1.2.3.256:51820', 'a b:1',
                      '-bad.example:1', 'x' * 300 + ':1', '', None, 51820,
                      ['1.2.3.4:1']]:
            with self.subTest(value=value):
                with self.assertRaises(n_exc.InvalidInput) as ctx:
                    v.parse_endpoint(value, 'binding:profile.endpoint',
                                     allow_bare_ip=True)
                self.assertIn('binding:profile.endpoint', str(ctx.exception))


class TestSecretsAndProfiles(unittest.TestCase):

    def test_find_secret(self):
        for profile, path in [
                ({'private_key': 'x'}, 'binding:profile.private_key'),
                ({'PrivateKey': 'x'}, 'binding:profile.PrivateKey'),
                ({'private-key': 'x'}, 'binding:profile.private-key'),
                ({'a': {'privatekey': 'x'}}, 'binding:profile.a.privatekey'),
                ({'a': [1, {'Private Key': 'x'}]},
                 'binding:profile.a[1].Private Key'),
                ({'cfg': '[Interface]\nPrivateKey = abc'},
                 'binding:profile.cfg'),
                ({'preshared_key': 'x'}, 'binding:profile.preshared_key')]:
            with self.subTest(profile=profile):
                self.assertEqual(path, v.find_secret(profile))
        self.assertIsNone(v.find_secret({'public_key': KEY, 'peers': []}))

    def test_roles(self):
        self.assertEqual((None, None), v.requested_role({}))
        self.assertEqual(('hub', 'device_owner'), v.requested_role(
            {'device_owner': 'channel:wireguard:hub'}))
        self.assertEqual(('spoke', 'binding:profile.wg_role'),
                         v.requested_role({'binding:profile':
                                           {'wg_role': 'spoke'}}))
        for port, field in [
                ({'binding:profile': {'wg_role': 'router'}}, 'wg_role'),
                ({'binding:profile': {'wg_role': 'hub'},
                  'device_owner': 'channel:wireguard:spoke'}, 'wg_role'),
                ({'device_owner': 'channel:wireguard:gw'}, 'device_owner')]:
            with self.subTest(port=port):
                with self.assertRaises(n_exc.InvalidInput) as ctx:
                    v.requested_role(port)
                self.assertIn(field, str(ctx.exception))

    def test_keepalive_and_realized(self):
        for value in (-1, 65536, '25', True, 2.5, None):
            with self.subTest(value=value):
                self.assertRaises(n_exc.InvalidInput, v.check_int, value,
                                  'f', 0, 65535)
        self.assertEqual(0, v.check_int(0, 'f', 0, 65535))
        v.check_realized(KEY, 51820, '[fd00::1]:51820')
        for args in ((KEY, 0, None), ('x', 1, None), (KEY, 1, 'nohost'),
                     (KEY, '51820', None), (KEY, 1, None, 20)):
            with self.subTest(args=args):
                self.assertRaises(n_exc.InvalidInput, v.check_realized,
                                  *args)


def _corpus():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, '..', '..', '..', 'tests', 'grammar',
                        'corpus.json')
    with open(path) as f:
        return json.load(f)


class TestGrammarCorpus(unittest.TestCase):
    """The driver's verdict on every value of tests/grammar/corpus.json.

    The agent's parser is held to the same corpus by
    tests/unit/test_grammar.c.
    """

    def spoke_ok(self, field, value):
        """Driver accepts the value and passes it on unchanged in get_hubs.

        A port_id is checked as a spoke's peers entry.
        """
        profile = {'public_key': KEY}
        if field == 'port_id':
            profile['peers'] = [value]
        else:
            profile[field] = value
        try:
            spec = v.check_profile('spoke', {'binding:profile': profile},
                                   False)
        except n_exc.InvalidInput:
            return False
        if field == 'endpoint' and value is not None:
            return v.dialable_endpoint(spec['endpoint']) == value
        return True

    def test_corpus(self):
        corpus = _corpus()
        fields = [k for k in corpus if not k.startswith('_') and
                  isinstance(corpus[k], dict) and k != 'ha']
        self.assertEqual(sorted(['public_key', 'endpoint',
                                 'persistent_keepalive', 'port_id']),
                         sorted(fields))
        for field in fields:
            for verdict in ('good', 'bad'):
                self.assertTrue(corpus[field][verdict])
                for value in corpus[field][verdict]:
                    with self.subTest(field=field, value=value):
                        self.assertEqual(verdict == 'good',
                                         self.spoke_ok(field, value))

    def test_ha_corpus(self):
        corpus = _corpus()['ha']
        self.assertEqual(['envelope', 'host'], sorted(corpus))
        for field, ok in (('host', self.ha_host_ok),
                          ('envelope', self.envelope_ok)):
            for verdict in ('good', 'bad'):
                self.assertTrue(corpus[field][verdict])
                for value in corpus[field][verdict]:
                    with self.subTest(field=field, value=value):
                        self.assertEqual(verdict == 'good', ok(value))

    @staticmethod
    def ha_host_ok(value):
        """The host is accepted in a hub's HA host list (either place)."""
        verdicts = set()
        for hosts in ([value, 'other-node'], ['other-node', value]):
            port = {'binding:host_id': 'other-node', 'fixed_ips': ['x'],
                    'binding:profile': {'wireguard_ha': {'hosts': hosts}}}
            try:
                spec = v.check_profile('hub', port, True)
                verdicts.add(value in spec['ha_hosts'])
            except n_exc.InvalidInput:
                verdicts.add(False)
        assert len(verdicts) == 1, value
        return verdicts.pop()

    @staticmethod
    def envelope_ok(value):
        if value is None:   # absent: in neither list of the corpus
            raise AssertionError('null envelope in the corpus')
        try:
            v.check_ha_report(value, None)
        except n_exc.InvalidInput:
            return False
        return True

    def test_bare_ip_endpoints_go_to_the_agent_as_null(self):
        for value in _corpus()['endpoint_bare_ip']:
            with self.subTest(value=value):
                spec = v.check_profile(
                    'spoke', {'binding:profile': {'public_key': KEY,
                                                  'endpoint': value}}, False)
                self.assertEqual(value, spec['endpoint'])
                self.assertIsNone(v.dialable_endpoint(value))


class TestHaProfile(unittest.TestCase):
    """binding:profile.wireguard_ha: admin-only, hubs only, two hosts."""

    @staticmethod
    def hub(ha, host='n1'):
        return {'binding:host_id': host, 'fixed_ips': ['x'],
                'binding:profile': {'wireguard_ha': ha}}

    def assert_refused(self, text, role='hub', port=None, admin=True):
        with self.assertRaises(n_exc.InvalidInput) as ctx:
            v.check_profile(role, port, admin)
        self.assertIn('binding:profile.wireguard_ha', str(ctx.exception))
        self.assertIn(text, str(ctx.exception))

    def test_good(self):
        spec = v.check_profile('hub', self.hub({'hosts': ['n2', 'n1']}), True)
        self.assertEqual(['n1', 'n2'], spec['ha_hosts'])
        spec = v.check_profile('hub', {'binding:host_id': 'n1',
                                       'fixed_ips': ['x'],
                                       'binding:profile': {}}, False)
        self.assertIsNone(spec['ha_hosts'])

    def test_refused(self):
        self.assert_refused('only an admin',
                            port=self.hub({'hosts': ['n1', 'n2']}),
                            admin=False)
        self.assert_refused('not valid for a WireGuard spoke', role='spoke',
                            port={'binding:profile': {
                                'public_key': KEY,
                                'wireguard_ha': {'hosts': ['n1', 'n2']}}})
        for ha, text in (({'hosts': ['n1']}, 'exactly two'),
                         ({'hosts': ['n1', 'n2', 'n3']}, 'exactly two'),
                         ({'hosts': ['n1', 'n1']}, 'twice'),
                         ({'hosts': ['n2', 'n3']}, 'must include'),
                         ({'hosts': ['n1', 'n 2']}, 'not a host name'),
                         ({'hosts': 'n1,n2'}, 'exactly two'),
                         ({'hosts': ['n1', 'n2'], 'vip': 'x'}, 'must be {'),
                         (['n1', 'n2'], 'must be {'), (True, 'must be {')):
            with self.subTest(ha=ha):
                self.assert_refused(text, port=self.hub(ha))

    def test_report(self):
        v.check_ha_report(None, None)
        v.check_ha_report(None, 'active')
        for env, state in (('x', None), (None, 'master'), (None, 1),
                           (KEY, None)):
            with self.subTest(env=env, state=state):
                self.assertRaises(n_exc.InvalidInput, v.check_ha_report,
                                  env, state)
