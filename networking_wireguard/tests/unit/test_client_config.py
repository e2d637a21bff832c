"""networking_wireguard.client.config: keys and key files (the rendering
itself is checked byte for byte against the C renderer by
tests/osc/golden.sh over tests/golden/config)."""

import base64
import os
import stat
import subprocess
import tempfile
import unittest

from networking_wireguard.client import config

HUB = 'aaaaaaaa-0000-4000-8000-000000000001'
KEY = base64.b64encode(bytes(range(32))).decode()


def spoke(**wg):
    port = {'id': 'spoke-1', 'fixed_ips': [{'ip_address': '10.0.0.5'}],
            'wireguard': {'role': 'spoke', 'public_key': KEY,
                          'peers': [{'port_id': HUB, 'public_key': KEY,
                                     'endpoint': '[2001:db8::1]:51820',
                                     'allowed_ips': ['10.0.0.0/24']}]}}
    port['wireguard'].update(wg)
    return port


class TestKeys(unittest.TestCase):

    def test_generated_pair_matches_wg_pubkey(self):
        priv, pub = config.generate_keypair()
        self.assertTrue(config.is_key(priv) and config.is_key(pub))
        self.assertNotEqual(priv, pub)
        try:
            out = subprocess.run(['wg', 'pubkey'], input=priv + '\n',
                                 capture_output=True, text=True, check=True)
        except FileNotFoundError:
            self.skipTest('wg not installed')
        self.assertEqual(pub, out.stdout.strip())

    def test_is_key_is_strict(self):
        self.assertTrue(config.is_key(KEY))
        for bad in (KEY[:-1], KEY[:-2] + 'B=', ' ' + KEY[1:], None, 42):
            self.assertFalse(config.is_key(bad), bad)

    def test_key_file_created_0600_never_overwritten(self):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'dev.key')
        config.write_private_key(path, KEY)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        self.assertEqual(KEY, config.read_private_key(path))
        self.assertRaises(FileExistsError, config.write_private_key, path,
                          KEY)
        os.chmod(path, 0o644)
        self.assertRaisesRegex(config.ConfigError, 'chmod 600',
                               config.read_private_key, path)

    def test_wrong_private_key_refused(self):
        priv, _ = config.generate_keypair()
        self.assertRaisesRegex(config.ConfigError, 'does not belong',
                               config.render, spoke(), private_key=priv)

    def test_v6_endpoint_and_keepalive_from_attribute(self):
        text = config.render(spoke(persistent_keepalive=7))
        self.assertIn('Endpoint = [2001:db8::1]:51820\n', text)
        self.assertIn('PersistentKeepalive = 7\n', text)
        self.assertIn('PrivateKey = %s\n' % config.KEY_PLACEHOLDER, text)

    def test_not_realized(self):
        port = spoke()
        port['wireguard']['peers'][0]['endpoint'] = None
        self.assertRaises(config.NotRealized, config.render, port)

    def test_endpoints(self):
        for ok in ('1.2.3.4:1', '[::1]:65535', 'vpn.example.org:51820'):
            self.assertTrue(config.endpoint_ok(ok), ok)
        for bad in ('1.2.3.4', '[::1]:0', '::1:51820', '-x:1', 'a b:1',
                    '1.2.3.4:065535', '[1.2.3.4]:5'):
            self.assertFalse(config.endpoint_ok(bad), bad)
