# SPDX-License-Identifier: Apache-2.0
"""openstack wireguard device add|config|list|show|delete

A device's private key never leaves the user's machine: --generate-key
makes the pair here, writes the private key to a new 0600 file and sends
only the public key."""

import os
import sys
import tempfile

from osc_lib.command import command

from networking_wireguard.client import config
from networking_wireguard.osc.v2 import api as wgapi


def _status(port):
    st = port.get('status') or ''
    host = port.get('binding:host_id')
    if st == 'ACTIVE':
        return 'ACTIVE (recent handshake)'
    if st == 'DOWN' and host:
        return 'DOWN (no recent handshake)'
    if st == 'DOWN' and host == '':
        return 'DOWN (not bound to the hub\'s host: no handshake report)'
    return st


def device_columns(port):
    wg = port.get('wireguard') or {}
    prof = port.get('binding:profile') or {}
    hubs = [p.get('port_id') for p in wg.get('peers') or []] or \
        list(prof.get('peers') or [])
    ka = wg.get('persistent_keepalive', prof.get('persistent_keepalive'))
    cols = ('id', 'name', 'network_id', 'project_id', 'hubs', 'addresses',
            'public_key', 'endpoint', 'persistent_keepalive', 'status')
    vals = (port['id'], port.get('name') or '', port.get('network_id'),
            port.get('project_id') or port.get('tenant_id'),
            ', '.join(hubs),
            ', '.join(ip['ip_address'] for ip in port.get('fixed_ips', [])),
            wg.get('public_key') or prof.get('public_key') or '',
            wg.get('endpoint') or prof.get('endpoint') or '',
            config.KEEPALIVE_DEF if ka is None else ka, _status(port))
    return cols, vals


def _check_add_args(a):
    if bool(a.public_key) == bool(a.generate_key):
        raise wgapi.ApiError('give exactly one of --public-key KEY and '
                             '--generate-key --private-key-file FILE')
    if a.public_key and not config.is_key(a.public_key):
        raise wgapi.ApiError(
            '--public-key %r is not a WireGuard public key (44 characters of '
            'base64, as `wg pubkey` prints)' % a.public_key)
    if a.generate_key and not a.private_key_file:
        raise wgapi.ApiError('--generate-key needs --private-key-file FILE '
                             '(where the new private key is kept, 0600)')
    if a.private_key_file and not a.generate_key:
        raise wgapi.ApiError('--private-key-file goes with --generate-key '
                             '(for `device config`, pass it there)')
    if a.private_key_file and os.path.lexists(a.private_key_file):
        raise wgapi.ApiError('%s exists: not overwriting a key file; choose '
                             'a new file name' % a.private_key_file)
    if a.keepalive is not None and not 0 <= a.keepalive <= 65535:
        raise wgapi.ApiError('--keepalive must be 0..65535 seconds')
    if a.endpoint and not config.endpoint_ok(a.endpoint):
        raise wgapi.ApiError('--endpoint %r is not HOST:PORT (IPv6 as '
                             '[ADDR]:PORT)' % a.endpoint)


class AddDevice(command.ShowOne):
    """Add a device to a hub (a spoke port holding its public key)."""

    def get_parser(self, prog_name):
        p = super(AddDevice, self).get_parser(prog_name)
        p.add_argument('name', metavar='NAME')
        p.add_argument('--hub', required=True, metavar='HUB',
                       help='hub port (name or ID)')
        p.add_argument('--public-key', metavar='KEY',
                       help='the device\'s public key (`wg pubkey`)')
        p.add_argument('--generate-key', action='store_true',
                       help='make the key pair here; needs '
                            '--private-key-file')
        p.add_argument('--private-key-file', metavar='FILE',
                       help='new file for the generated private key (0600, '
                            'never sent anywhere)')
        p.add_argument('--keepalive', type=int, metavar='SECONDS',
                       help='PersistentKeepalive (default 25, 0 = off)')
        p.add_argument('--endpoint', metavar='HOST:PORT',
                       help='only for a device with a fixed public address')
        return p

    def take_action(self, a):
        _check_add_args(a)
        c = self.app.client_manager.wireguard
        what = 'adding device %s' % a.name
        hub = wgapi.find_wg_port(c, a.hub, wgapi.HUB, what)
        priv, pub = (None, a.public_key)
        if a.generate_key:
            priv, pub = config.generate_keypair()
            config.write_private_key(a.private_key_file, priv)
            priv = None
        profile = {'wg_role': 'spoke', 'public_key': pub,
                   'peers': [hub['id']]}
        if a.keepalive is not None:
            profile['persistent_keepalive'] = a.keepalive
        if a.endpoint:
            profile['endpoint'] = a.endpoint
        body = {'name': a.name, 'network_id': hub['network_id'],
                'binding:profile': profile}
        if hub.get('binding:host_id'):
            # Visible to admins: bind the spoke to the hub's node so the
            # agent reports its handshake status.
            body['binding:host_id'] = hub['binding:host_id']
        try:
            port = c.create_port(body, what)
        except Exception:
            if a.generate_key:
                os.unlink(a.private_key_file)
            raise
        return device_columns(port)


class ConfigDevice(command.Command):
    """Print a device's WireGuard config (as `neutron-wireguard render`)."""

    def get_parser(self, prog_name):
        p = super(ConfigDevice, self).get_parser(prog_name)
        p.add_argument('device', metavar='DEVICE', help='name or ID')
        p.add_argument('--private-key-file', metavar='FILE',
                       help='the device\'s private key (0600); else a '
                            'placeholder line')
        p.add_argument('--qr', action='store_true',
                       help='print the config as a QR code for the '
                            'WireGuard app')
        p.add_argument('--output', metavar='FILE',
                       help='write the config to FILE (0600) instead')
        p.add_argument('--mtu', type=int, metavar='N',
                       help='cap the MTU (576..9000)')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        port = wgapi.find_wg_port(c, a.device, wgapi.SPOKE,
                                  'rendering the config')
        try:
            key = None
            if a.private_key_file:
                key = config.read_private_key(a.private_key_file)
            text = config.render(port, private_key=key, mtu=a.mtu,
                                 key_name=a.private_key_file)
        except (config.ConfigError, OSError) as e:
            raise wgapi.ApiError('device %s: %s' % (port['id'], e))
        if a.qr:
            text = _qr(text)
        if a.output:
            _write_0600(a.output, text)
        else:
            sys.stdout.write(text)


def _qr(text):
    try:
        import qrcode
    except ImportError:
        raise wgapi.ApiError('--qr needs the python3-qrcode package')
    qr = qrcode.QRCode(border=2,
                       error_correction=qrcode.constants.ERROR_CORRECT_L)
    qr.add_data(text)
    qr.make(fit=True)
    m = qr.get_matrix()
    # Two modules per character: upper/lower half blocks, dark = block.
    out = []
    for y in range(0, len(m), 2):
        row = ''
        for x in range(len(m[y])):
            top = m[y][x]
            bot = m[y + 1][x] if y + 1 < len(m) else False
            row += {(True, True): '\u2588', (True, False): '\u2580',
                    (False, True): '\u2584', (False, False): ' '}[(top, bot)]
        out.append(row)
    return '\n'.join(out) + '\n'


def _write_0600(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix='.wgconf-')
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
        os.close(fd)
        os.replace(tmp, path)
    except Exception:
        os.unlink(tmp)
        raise


class ListDevice(command.Lister):
    """List WireGuard devices (spoke ports) with their handshake status."""

    def get_parser(self, prog_name):
        p = super(ListDevice, self).get_parser(prog_name)
        p.add_argument('--hub', metavar='HUB', help='only this hub\'s')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        hub_id = None
        if a.hub:
            hub_id = wgapi.find_wg_port(c, a.hub, wgapi.HUB,
                                        'listing devices')['id']
        rows = []
        for p in c.ports():
            if wgapi.role(p) != wgapi.SPOKE:
                continue
            cols, v = device_columns(p)
            d = dict(zip(cols, v))
            if hub_id and hub_id not in d['hubs'].split(', '):
                continue
            rows.append((d['id'], d['name'], d['hubs'], d['addresses'],
                         d['public_key'], d['status']))
        return (('ID', 'Name', 'Hubs', 'Addresses', 'Public Key', 'Status'),
                sorted(rows, key=lambda r: (r[1], r[0])))


class ShowDevice(command.ShowOne):
    """Show a WireGuard device."""

    def get_parser(self, prog_name):
        p = super(ShowDevice, self).get_parser(prog_name)
        p.add_argument('device', metavar='DEVICE', help='name or ID')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        return device_columns(wgapi.find_wg_port(c, a.device, wgapi.SPOKE,
                                                 'showing the device'))


class DeleteDevice(command.Command):
    """Delete WireGuard devices (only spoke ports are ever deleted)."""

    def get_parser(self, prog_name):
        p = super(DeleteDevice, self).get_parser(prog_name)
        p.add_argument('devices', metavar='DEVICE', nargs='+')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        ports = [wgapi.find_wg_port(c, d, wgapi.SPOKE, 'deleting %s' % d)
                 for d in a.devices]
        for p in ports:
            c.delete_port(p['id'], 'deleting device %s' % p['id'])
