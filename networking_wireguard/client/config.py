# SPDX-License-Identifier: Apache-2.0
"""A device's wg-quick config from its spoke port (client side).

The Python twin of the C ``neutron-wireguard render`` (cli/port_json.c,
cli/port_peers.c, cli/render_conf.c): the same input (a port as Neutron's
API or ``openstack port show -f json`` gives it), the same checks and
messages, byte-for-byte the same output. tests/golden/config/ holds the
fixtures both implementations are checked against; change both together.

Public API (used by networking_wireguard.osc and the dashboard panel):

    parse_spoke(port) -> Spoke               raises ConfigError/NotRealized
    render(port, private_key=None, mtu=None) -> str
    render_spoke(spoke, private_key=None, mtu=None) -> str
    is_key(b64) -> bool                       canonical base64 of 32 bytes
    generate_keypair() -> (private_b64, public_b64)
    public_key(private_b64) -> str
    read_private_key(path) -> str             refuses group/other access
    write_private_key(path, private_b64)      creates the file 0600, O_EXCL

Private keys only ever pass through arguments and return values: nothing
here logs, stores or sends them.
"""

import base64
import binascii
import ipaddress
import json
import os
import re
import stat

KEEPALIVE_DEF = 25
MTU_DEF = 1420
MTU_MIN = 576
MTU_MAX = 9000
MAX_ADDRS = 16
MAX_CIDRS = 64
MAX_HUBS = 64
KEY_PLACEHOLDER = 'REPLACE_WITH_THE_DEVICE_PRIVATE_KEY'
ROLE_OWNER_PREFIX = 'channel:wireguard:'
_ID = re.compile(r'^[A-Za-z0-9_-]{1,63}$')
_DNS = re.compile(r'^[A-Za-z0-9.-]+$')


class ConfigError(ValueError):
    """The port cannot be rendered; the message says why."""


class NotRealized(ConfigError):
    """A hub has no public key/endpoint yet (its agent has not reported)."""


class Hub(object):
    def __init__(self, port_id, public_key, endpoint, cidrs, mtu):
        self.port_id = port_id
        self.public_key = public_key
        self.endpoint = endpoint
        self.cidrs = cidrs          # ipaddress networks, subnets then routes
        self.mtu = mtu              # 0 = not advertised


class Spoke(object):
    def __init__(self, port_id):
        self.port_id = port_id
        self.public_key = ''
        self.addrs = []             # ipaddress addresses (host /32, /128)
        self.keepalive = KEEPALIVE_DEF
        self.hubs = []


# ------------------------------------------------------------------ keys
def is_key(value):
    """Canonical base64 of exactly 32 bytes (44 characters)."""
    if not isinstance(value, str) or len(value) != 44:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 32 and base64.b64encode(raw).decode() == value


def _x25519():
    from cryptography.hazmat.primitives.asymmetric import x25519
    from cryptography.hazmat.primitives import serialization as ser
    return x25519, ser


def public_key(private_b64):
    if not is_key(private_b64):
        raise ConfigError('not a WireGuard private key (one base64 key of '
                          '44 characters, as `wg genkey` writes)')
    x25519, ser = _x25519()
    priv = x25519.X25519PrivateKey.from_private_bytes(
        base64.b64decode(private_b64))
    raw = priv.public_key().public_bytes(ser.Encoding.Raw,
                                         ser.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def generate_keypair():
    """A new key pair made here, as `wg genkey | wg pubkey` would."""
    x25519, ser = _x25519()
    priv = x25519.X25519PrivateKey.generate()
    raw = priv.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw,
                             ser.NoEncryption())
    b64 = base64.b64encode(raw).decode()
    return b64, public_key(b64)


def read_private_key(path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError('%s: not a regular file' % path)
        if st.st_mode & 0o077:
            raise ConfigError(
                '%s is accessible by group or others (mode %04o): refusing '
                'to use it; chmod 600 it' % (path, st.st_mode & 0o7777))
        data = os.read(fd, 48)
    finally:
        os.close(fd)
    text = data.decode('ascii', 'replace')
    if text.endswith('\n'):
        text = text[:-1]
    if text.endswith('\r'):
        text = text[:-1]
    if not is_key(text):
        raise ConfigError('%s: not a WireGuard private key (one base64 key '
                          'of 44 characters, as `wg genkey` writes)' % path)
    return text


def write_private_key(path, private_b64):
    """Creates path (never overwrites) with mode 0600 and the key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (private_b64 + '\n').encode())
    finally:
        os.close(fd)


# ---------------------------------------------------------------- parsing
def _get(obj, a, b=None):
    """nwgcli_jget: obj[a], else obj[b] when a is missing or null."""
    if not isinstance(obj, dict):
        return None
    v = obj.get(a)
    if v is None and b:
        v = obj.get(b)
    return v


def _dict(port, a, b):
    v = _get(port, a, b)
    if v is None or v == '':
        return None
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            v = None
    if isinstance(v, dict):
        return v
    raise ConfigError('port field %s must be an object' % a)


def _str(v, maxlen):
    if not isinstance(v, str) or len(v) >= maxlen or '\0' in v:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in v):
        return None
    return v


def _id_ok(s):
    return isinstance(s, str) and bool(_ID.match(s))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _host(s):
    if not isinstance(s, str) or '/' in s or not s or len(s) >= 46:
        raise ValueError(s)
    return ipaddress.ip_address(s)


def _prefix(s):
    if not isinstance(s, str):
        raise ValueError(s)
    if '/' not in s:
        a = _host(s)
        return ipaddress.ip_network(a)
    addr, plen = s.split('/', 1)
    a = _host(addr)
    if not plen.isdigit() or not plen.isascii() or len(plen) > 3 or \
            (len(plen) > 1 and plen[0] == '0') or int(plen) > a.max_prefixlen:
        raise ValueError(s)
    return ipaddress.ip_network('%s/%s' % (a, plen), strict=False)


def _role(wg, profile, port):
    v = _get(wg, 'role')
    if v is None:
        v = _get(profile, 'wg_role')
    if v is not None:
        return v
    owner = port.get('device_owner')
    if isinstance(owner, str) and owner.startswith(ROLE_OWNER_PREFIX):
        return owner[len(ROLE_OWNER_PREFIX):]
    return None


def _check_role(wg, profile, port, pid):
    role = _role(wg, profile, port)
    if role is not None and not isinstance(role, str):
        raise ConfigError('port %s: the WireGuard role must be a string'
                          % pid)
    if role is None:
        raise ConfigError(
            'port %s is not a WireGuard port (no wireguard.role, '
            'binding:profile wg_role or device_owner '
            'channel:wireguard:spoke)' % pid)
    if role == 'spoke':
        return
    if role == 'hub':
        raise ConfigError(
            'port %s is a WireGuard hub, not a spoke: render the config of a '
            'spoke port that peers with it' % pid)
    raise ConfigError('port %s has an unknown WireGuard role (not a spoke)'
                      % pid)


def _own_key(s, wg, profile):
    v = _get(wg, 'public_key')
    if v is None:
        v = _get(profile, 'public_key')
    if v is None:
        return
    if not is_key(v):
        raise ConfigError('port %s: public_key is not a valid WireGuard key'
                          % s.port_id)
    s.public_key = v


def _add_addr(s, ip):
    if len(s.addrs) >= MAX_ADDRS:
        raise ConfigError('port %s has too many fixed IPs' % s.port_id)
    try:
        s.addrs.append(_host(ip))
    except ValueError:
        raise ConfigError('port %s: fixed_ips has an invalid ip_address'
                          % s.port_id)


def _addrs(s, port):
    ips = _get(port, 'fixed_ips')
    if isinstance(ips, str):
        for m in re.finditer(r"ip_address='", ips):
            rest = ips[m.end():]
            end = rest.find("'")
            if end < 0 or end >= 64:
                raise ConfigError('port %s: cannot read fixed_ips'
                                  % s.port_id)
            _add_addr(s, rest[:end])
    elif ips is not None and not isinstance(ips, list):
        raise ConfigError('port %s: fixed_ips must be a list' % s.port_id)
    else:
        for i, it in enumerate(ips or []):
            ip = _get(it, 'ip_address')
            if not isinstance(ip, str):
                raise ConfigError('port %s: fixed_ips[%d].ip_address must '
                                  'be a string' % (s.port_id, i))
            _add_addr(s, ip)
    if not s.addrs:
        raise ConfigError(
            'spoke port %s has no fixed IPs: the device needs an address on '
            "its hubs' subnet" % s.port_id)


def _keepalive(s, wg, profile):
    v = _get(profile, 'persistent_keepalive')
    if v is None:
        v = _get(wg, 'persistent_keepalive')
    if v is None:
        return
    if not _is_int(v) or v < 0 or v > 65535:
        raise ConfigError('port %s: persistent_keepalive must be an integer '
                          '0..65535' % s.port_id)
    s.keepalive = v


def endpoint_ok(s):
    """host:port with an IPv4 address, [IPv6] or a DNS name."""
    if not isinstance(s, str) or ':' not in s:
        return False
    host, port = s.rsplit(':', 1)
    if not port.isdigit() or not port.isascii() or len(port) > 5 or \
            port[0] == '0' or not 1 <= int(port) <= 65535:
        return False
    if host.startswith('[') and host.endswith(']'):
        try:
            return ipaddress.ip_address(host[1:-1]).version == 6
        except ValueError:
            return False
    try:
        return ipaddress.ip_address(host).version == 4
    except ValueError:
        pass
    return 0 < len(host) <= 253 and host[0] not in '-.' and \
        bool(_DNS.match(host))


def _cidrs(h, lst, field):
    if lst is not None and not isinstance(lst, list):
        raise ConfigError('hub %s: %s must be a list' % (h.port_id, field))
    for i, it in enumerate(lst or []):
        if len(h.cidrs) >= MAX_CIDRS:
            raise ConfigError('hub %s: too many %s' % (h.port_id, field))
        try:
            h.cidrs.append(_prefix(it))
        except ValueError:
            raise ConfigError('hub %s: %s[%d] is not an address/prefix'
                              % (h.port_id, field, i))


def _hub(obj, i):
    if not isinstance(obj, dict):
        raise ConfigError('peers[%d] must be an object' % i)
    pid = _str(obj.get('port_id'), 64)
    if pid is None or not _id_ok(pid):
        raise ConfigError('peers[%d]: no valid port_id' % i)
    key, ep = _get(obj, 'public_key'), _get(obj, 'endpoint')
    if key is None or ep is None:
        raise NotRealized(
            'hub %s is not realized yet (no %s): is the WireGuard agent '
            'running on its host? Try again once the hub port shows a '
            'public_key and an endpoint'
            % (pid, 'endpoint' if key is not None else 'public_key'))
    if not is_key(key):
        raise ConfigError('hub %s: public_key is not a valid WireGuard key'
                          % pid)
    if _str(ep, 262) is None or not endpoint_ok(ep):
        raise ConfigError('hub %s: endpoint is not host:port' % pid)
    h = Hub(pid, key, ep, [], 0)
    _cidrs(h, _get(obj, 'allowed_ips'), 'allowed_ips')
    if not h.cidrs:
        raise ConfigError('hub %s advertises no allowed_ips (its subnets)'
                          % pid)
    _cidrs(h, _get(obj, 'routes'), 'routes')
    mtu = _get(obj, 'mtu')
    if mtu is not None:
        if not _is_int(mtu) or not MTU_MIN <= mtu <= MTU_MAX:
            raise ConfigError('hub %s: mtu must be an integer %d..%d'
                              % (pid, MTU_MIN, MTU_MAX))
        h.mtu = mtu
    return h


def _hubs(s, wg, profile, vif):
    wanted = _get(profile, 'peers')
    if wanted is not None and not isinstance(wanted, list):
        raise ConfigError('port %s: binding:profile peers must be a list'
                          % s.port_id)
    for i, it in enumerate(wanted or []):
        if not _id_ok(it):
            raise ConfigError('port %s: binding:profile peers[%d] is not a '
                              'port id' % (s.port_id, i))
    details = _get(wg, 'peers')
    if details is None or (isinstance(details, list) and not details and
                           _get(vif, 'peers') is not None):
        details = _get(vif, 'peers')
    if details is not None and not isinstance(details, list):
        raise ConfigError('port %s: peers must be a list' % s.port_id)
    details = details or []
    if not details and wg is None and wanted:
        raise NotRealized(
            'spoke port %s: this input has no peer data (no wireguard '
            'attribute, no binding:vif_details peers; `openstack port show` '
            'drops the attribute of unbound spokes): use --neutron URL --port'
            ' ID or the GET /v2.0/ports/ID body' % s.port_id)
    if not details and not wanted:
        raise ConfigError('spoke port %s has no peers: set binding:profile '
                          'peers to the hub port id(s)' % s.port_id)
    if len(details) > MAX_HUBS:
        raise ConfigError('port %s: too many peers' % s.port_id)
    for i, obj in enumerate(details):
        h = _hub(obj, i)
        if any(x.port_id == h.port_id for x in s.hubs):
            raise ConfigError('port %s: hub %s is listed twice in peers'
                              % (s.port_id, h.port_id))
        s.hubs.append(h)
    for hid in wanted or []:
        if not any(x.port_id == hid for x in s.hubs):
            raise NotRealized(
                'hub %s is not realized yet: the spoke port carries no '
                'public_key/endpoint for it (is the WireGuard agent running '
                'on its host?)' % hid)


def parse_spoke(port):
    """A spoke port (dict, or JSON text) -> Spoke. Raises ConfigError."""
    if isinstance(port, (str, bytes)):
        try:
            port = json.loads(port)
        except ValueError as e:
            raise ConfigError('malformed JSON: %s' % e)
    if isinstance(port, dict) and isinstance(port.get('port'), dict):
        port = port['port']
    if not isinstance(port, dict):
        raise ConfigError('not a port: expected a JSON object')
    pid = _str(port.get('id'), 64)
    if pid is None or not _id_ok(pid):
        raise ConfigError('not a port: no valid "id"')
    s = Spoke(pid)
    wg = port.get('wireguard')
    if wg is not None and not isinstance(wg, dict):
        raise ConfigError('port %s: wireguard must be an object' % pid)
    profile = _dict(port, 'binding:profile', 'binding_profile')
    vif = _dict(port, 'binding:vif_details', 'binding_vif_details')
    _check_role(wg, profile, port, pid)
    _own_key(s, wg, profile)
    _addrs(s, port)
    _keepalive(s, wg, profile)
    _hubs(s, wg, profile, vif)
    return s


# -------------------------------------------------------------- rendering
def _fmt_addr(a):
    """As glibc's inet_ntop: embedded IPv4 for ::ffff:a.b.c.d, ::a.b.c.d."""
    if a.version == 6 and a.ipv4_mapped is not None:
        return '::ffff:%s' % a.ipv4_mapped
    v = int(a)
    if a.version == 6 and v >> 32 == 0 and (v >> 16) & 0xffff:
        return '::%s' % ipaddress.IPv4Address(v & 0xffffffff)
    return str(a)


def _fmt_net(n):
    return '%s/%d' % (_fmt_addr(n.network_address), n.prefixlen)


def render_mtu(spoke, mtu=None):
    best = 0
    for h in spoke.hubs:
        if h.mtu and (not best or h.mtu < best):
            best = h.mtu
    if mtu and (not best or mtu < best):
        best = mtu
    return best or MTU_DEF


def render_spoke(spoke, private_key=None, mtu=None):
    if private_key is not None and not is_key(private_key):
        raise ConfigError('not a WireGuard private key')
    if mtu is not None and (not _is_int(mtu) or not MTU_MIN <= mtu <= MTU_MAX):
        raise ConfigError('mtu must be a number %d..%d' % (MTU_MIN, MTU_MAX))
    out = ['# WireGuard config of the device behind spoke port %s'
           % spoke.port_id,
           '# Rendered by neutron-wireguard from Neutron\'s port data. '
           'Address holds host',
           '# addresses; the routes to the hubs\' subnets come from '
           'AllowedIPs.',
           '[Interface]']
    if private_key:
        out.append('PrivateKey = %s' % private_key)
    else:
        out += ['# PLACEHOLDER: put the device\'s own private key here (it '
                'never goes to',
                '# Neutron), or render with --private-key-file FILE.',
                'PrivateKey = ' + KEY_PLACEHOLDER]
    out.append('Address = ' + ', '.join(
        '%s/%d' % (_fmt_addr(a), a.max_prefixlen) for a in spoke.addrs))
    out.append('MTU = %d' % render_mtu(spoke, mtu))
    taken = set()
    for h in spoke.hubs:
        out += ['', '[Peer]', '# hub port %s' % h.port_id,
                'PublicKey = %s' % h.public_key, 'Endpoint = %s' % h.endpoint]
        mine = [c for c in h.cidrs if c not in taken]
        if mine:
            out.append('AllowedIPs = ' + ', '.join(_fmt_net(c) for c in mine))
        else:
            out.append('# No AllowedIPs: its prefixes already go to a hub '
                       'above (standby hub).')
        taken.update(h.cidrs)
        if spoke.keepalive:
            out.append('PersistentKeepalive = %d' % spoke.keepalive)
    return '\n'.join(out) + '\n'


def render(port, private_key=None, mtu=None, key_name='the private key'):
    """The wg-quick config text for a spoke port (dict or JSON).

    key_name names the key's origin (a file name) in the mismatch error.
    """
    s = parse_spoke(port)
    if private_key is not None and s.public_key and \
            public_key(private_key) != s.public_key:
        raise ConfigError(
            '%s does not belong to spoke port %s: its public key is not the '
            'port\'s public_key (re-keyed device? update the port first)'
            % (key_name, s.port_id))
    return render_spoke(s, private_key, mtu)
