"""Input validation for WireGuard ports (pure functions, no database).

Every failure raises neutron_lib's InvalidInput (HTTP 400) with a message
that starts with the offending field, e.g.
``binding:profile.public_key: must be the base64 encoding of 32 bytes``.
The database-backed checks (peers, uniqueness) live in the driver.
"""

import base64
import binascii
import ipaddress
import re

from neutron_lib.api.definitions import portbindings
from neutron_lib import exceptions as n_exc

from networking_wireguard import constants as c

PROFILE = portbindings.PROFILE
KEY_B64_LEN = 44
# The spoke-field grammar is shared with the agent (doc/contracts.md, "One
# grammar"; tests/grammar/corpus.json is checked against both sides).
MAX_ENDPOINT_LEN = 63
_PORT = re.compile(r'[1-9][0-9]{0,4}')
_V6_ENDPOINT = re.compile(r'\[([0-9A-Fa-f:.]+)\]:([^:]*)')
_IPV4 = re.compile(r'[0-9.]+')
# A network node's host name in an HA hub's host list (doc/contracts.md,
# "One grammar"): what the agent's [DEFAULT] host may be, narrowed to the
# characters host names use.
HOST_MAX_LEN = 255
_HOST = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]{0,%d}' % (HOST_MAX_LEN - 1))
# A sealed hub key (libsodium sealed box, lib/seal.c): canonical base64
# of exactly SEALED_LEN bytes.
SEALED_LEN = 132
SEALED_B64_LEN = 176
_UUID = re.compile(r'[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-'
                   r'[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}')
# Names that look like secret key material, compared after lower-casing and
# dropping everything but letters and digits ("Private-Key" -> "privatekey").
_SECRET_WORDS = ('private', 'privkey', 'secret', 'presharedkey', 'psk')


def fail(field, message):
    raise n_exc.InvalidInput(error_message='%s: %s' % (field, message))


def pfield(key):
    return '%s.%s' % (PROFILE, key)


# --------------------------------------------------------------- keys
def is_public_key(value):
    """Strict WireGuard key check: canonical base64 of exactly 32 bytes."""
    if not isinstance(value, str) or len(value) != KEY_B64_LEN:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 32 and base64.b64encode(raw).decode() == value


def check_public_key(value, field):
    if not is_public_key(value):
        fail(field, 'must be a WireGuard public key (canonical base64 of '
                    'exactly 32 bytes, 44 characters)')
    return value


# ----------------------------------------------------------- endpoints
def _is_ip(text, kind):
    """A plain address literal, as the agent's inet_pton takes it.

    No zone id: ipaddress alone accepts "fe80::1%eth0".
    """
    if kind is ipaddress.IPv4Address and not _IPV4.fullmatch(text):
        return False
    if kind is ipaddress.IPv6Address and not re.fullmatch(r'[0-9A-Fa-f:.]+',
                                                          text):
        return False
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _is_any_ip(text):
    return (_is_ip(text, ipaddress.IPv4Address) or
            _is_ip(text, ipaddress.IPv6Address))


def _check_port(port, field):
    if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        fail(field, 'port must be an integer in 1..65535 (no leading zero)')


def is_port_id(value):
    """A port UUID as the agent accepts it: 8-4-4-4-12 hex digits."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def parse_endpoint(value, field, allow_bare_ip=False):
    """Validate ``host:port``; return (host, port or None).

    host is an IPv4 address or ``[IPv6]`` (IP literals only: the agent
    never resolves names, doc/contracts.md). With allow_bare_ip a
    lone IP address (no port) is accepted too: existing clients send that
    for a device address; it can't be dialled, so port is None.
    """
    if not isinstance(value, str) or not value:
        fail(field, 'must be a non-empty string "host:port"')
    if len(value) > MAX_ENDPOINT_LEN or value != value.strip() or any(
            ch.isspace() for ch in value):
        fail(field, 'must be "host:port" without spaces (at most %d '
                    'characters)' % MAX_ENDPOINT_LEN)
    if allow_bare_ip and _is_any_ip(value):
        return value, None
    if value.startswith('['):
        m = _V6_ENDPOINT.fullmatch(value)
        if not m:
            fail(field, 'must be "[IPv6]:port"')
        if not _is_ip(m.group(1), ipaddress.IPv6Address):
            fail(field, '"%s" is not an IPv6 address' % m.group(1))
        _check_port(m.group(2), field)
        return m.group(1), int(m.group(2))
    host, sep, port = value.rpartition(':')
    if not sep or not host:
        fail(field, 'must be "address:port" (IPv4 or [IPv6])')
    if ':' in host:
        fail(field, 'an IPv6 address must be written "[address]:port"')
    if not _is_ip(host, ipaddress.IPv4Address):
        fail(field, '"%s" is not an IPv4 address (host names are not '
                    'accepted: give an IP address)' % host)
    _check_port(port, field)
    return host, int(port)


def dialable_endpoint(value):
    """The endpoint as given when it has a port, else None (bare IP)."""
    if not value:
        return None
    try:
        return value if parse_endpoint(value, 'endpoint', True)[1] else None
    except n_exc.InvalidInput:
        return None


# ---------------------------------------------------------- integers
def check_int(value, field, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        fail(field, 'must be an integer in %d..%d' % (low, high))
    if not low <= value <= high:
        fail(field, 'must be an integer in %d..%d' % (low, high))
    return value


# --------------------------------------------------------- secrets
def _secret_name(name):
    norm = ''.join(ch for ch in str(name).lower() if ch.isalnum())
    return any(word in norm for word in _SECRET_WORDS)


def find_secret(obj, path=PROFILE):
    """Return the path of the first key (or text) that looks like a
    private key anywhere in obj, else None."""
    if isinstance(obj, dict):
        for key, val in obj.items():
            sub = '%s.%s' % (path, key)
            if _secret_name(key):
                return sub
            found = find_secret(val, sub)
            if found:
                return found
    elif isinstance(obj, (list, tuple)):
        for i, val in enumerate(obj):
            found = find_secret(val, '%s[%d]' % (path, i))
            if found:
                return found
    elif isinstance(obj, str):
        norm = ''.join(ch for ch in obj.lower() if ch.isalnum())
        if 'privatekey' in norm or 'presharedkey' in norm:
            return path
    return None


# ------------------------------------------------------------- roles
def device_owner_role(device_owner):
    """Role marked by device_owner, None when it is not ours.

    Raises for channel:wireguard:<unknown>."""
    if not isinstance(device_owner, str) or not device_owner.startswith(
            c.DEVICE_OWNER_PREFIX):
        return None
    role = device_owner[len(c.DEVICE_OWNER_PREFIX):]
    if role not in c.ROLES:
        fail('device_owner', 'unknown WireGuard role "%s" (use %s or %s)'
             % (role, c.DEVICE_OWNER_HUB, c.DEVICE_OWNER_SPOKE))
    return role


def requested_role(port):
    """Role asked for by this port dict: (role, field that asks for it).

    (None, None) for ports that do not ask for a role."""
    profile = port.get(PROFILE) or {}
    if not isinstance(profile, dict):
        profile = {}
    owner_role = device_owner_role(port.get('device_owner'))
    if c.PROFILE_ROLE not in profile:
        return owner_role, 'device_owner' if owner_role else None
    role = profile[c.PROFILE_ROLE]
    if role not in c.ROLES:
        fail(pfield(c.PROFILE_ROLE), 'must be "hub" or "spoke"')
    if owner_role and owner_role != role:
        fail(pfield(c.PROFILE_ROLE), 'is "%s" but device_owner says "%s"'
             % (role, owner_role))
    return role, pfield(c.PROFILE_ROLE)


# ----------------------------------------------------------- profiles
def check_profile(role, port, is_admin, extra_keys=(), realized=None):
    """Validate a WireGuard port's binding:profile and basic attributes.

    realized: (public_key, endpoint) the table holds for a hub; a hub's
    profile may carry only these values. None: not checked.
    Returns the normalized spoke/hub settings:
    {public_key, endpoint, peers, persistent_keepalive, root_namespace}.
    """
    profile = port.get(PROFILE) or {}
    if not isinstance(profile, dict):
        fail(PROFILE, 'must be a JSON object')
    secret = find_secret(profile)
    if secret:
        fail(secret, 'private keys must never be given to Neutron (only '
                     'the public key of a device is accepted)')
    vnic = port.get(portbindings.VNIC_TYPE) or portbindings.VNIC_NORMAL
    if vnic != portbindings.VNIC_NORMAL:
        fail(portbindings.VNIC_TYPE, 'a WireGuard port must have vnic_type '
                                     '"normal", not "%s"' % vnic)
    allowed = c.HUB_PROFILE_KEYS if role == c.ROLE_HUB else \
        c.SPOKE_PROFILE_KEYS
    for key in sorted(profile):
        if key in allowed or key in extra_keys:
            continue
        if key in c.HUB_PROFILE_KEYS | c.SPOKE_PROFILE_KEYS:
            fail(pfield(key), 'not valid for a WireGuard %s' % role)
        fail(pfield(key), 'unknown key for a WireGuard %s (allowed: %s)'
             % (role, ', '.join(sorted(allowed))))
    if role == c.ROLE_HUB:
        return _check_hub(port, profile, is_admin, realized)
    return _check_spoke(profile)


def _check_hub(port, profile, is_admin, realized):
    if not port.get(portbindings.HOST_ID):
        fail(portbindings.HOST_ID, 'required for a WireGuard hub (the '
                                   'network node that runs it)')
    if not port.get('fixed_ips'):
        fail('fixed_ips', 'a WireGuard hub needs at least one fixed IP')
    root_ns = profile.get(c.PROFILE_ROOT_NAMESPACE, False)
    if not isinstance(root_ns, bool):
        fail(pfield(c.PROFILE_ROOT_NAMESPACE), 'must be true or false')
    if root_ns and not is_admin:
        fail(pfield(c.PROFILE_ROOT_NAMESPACE), 'only an admin may place a '
                                               'hub in the root namespace')
    key, endpoint = realized or (None, None)
    for name, value in ((c.PROFILE_PUBLIC_KEY, key),
                        (c.PROFILE_ENDPOINT, endpoint)):
        if realized is not None and name in profile and \
                profile[name] != value:
            fail(pfield(name), 'a hub\'s %s is set by its agent once the '
                               'hub is realized; leave it out' % name)
    ha_hosts = None
    if c.PROFILE_HA in profile:
        ha_hosts = check_ha(profile[c.PROFILE_HA],
                            port.get(portbindings.HOST_ID), is_admin)
    return {'root_namespace': root_ns, 'public_key': None, 'endpoint': None,
            'peers': [], 'persistent_keepalive': None, 'ha_hosts': ha_hosts}


# ----------------------------------------------------------------- HA
def is_host(value):
    """A network node's host name as an HA hub's host list names it."""
    return isinstance(value, str) and _HOST.fullmatch(value) is not None


def check_ha(value, bound_host, is_admin):
    """binding:profile.wireguard_ha = {"hosts": [h1, h2]}: admin-only,
    exactly two distinct host names, one of them the hub's bound host.
    Returns the hosts sorted."""
    field = pfield(c.PROFILE_HA)
    if not is_admin:
        fail(field, 'only an admin may make a hub highly available')
    if not isinstance(value, dict) or set(value) != {c.HA_HOSTS}:
        fail(field, 'must be {"hosts": [host1, host2]}')
    hosts = value[c.HA_HOSTS]
    field = '%s.%s' % (field, c.HA_HOSTS)
    if not isinstance(hosts, list) or len(hosts) != 2:
        fail(field, 'must list exactly two network nodes')
    for host in hosts:
        if not is_host(host):
            fail(field, '%s is not a host name (letters, digits, ".", '
                        '"-", "_"; at most %d characters)'
                 % (_quoted(host), HOST_MAX_LEN))
    if hosts[0] == hosts[1]:
        fail(field, 'names %s twice: two different network nodes are '
                    'needed' % hosts[0])
    if bound_host not in hosts:
        fail(field, 'must include the hub\'s %s (%s)'
             % (portbindings.HOST_ID, bound_host))
    return sorted(hosts)


def _quoted(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + '...'


def is_sealed(value):
    """A sealed hub key: canonical base64 of exactly SEALED_LEN bytes."""
    if not isinstance(value, str) or len(value) != SEALED_B64_LEN:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == SEALED_LEN and base64.b64encode(raw).decode() == value


def check_ha_report(envelope, state):
    """HA arguments of hub_realized (from the agent)."""
    if envelope is not None and not is_sealed(envelope):
        fail('ha_envelope', 'must be a sealed hub key (canonical base64 of '
                            '%d bytes)' % SEALED_LEN)
    if state is not None and state not in c.HA_STATES:
        fail('ha_state', 'must be one of %s' % ', '.join(c.HA_STATES))


def _check_spoke(profile):
    if c.PROFILE_PUBLIC_KEY not in profile:
        fail(pfield(c.PROFILE_PUBLIC_KEY), 'required for a WireGuard spoke '
                                           '(the device\'s public key)')
    key = check_public_key(profile[c.PROFILE_PUBLIC_KEY],
                           pfield(c.PROFILE_PUBLIC_KEY))
    endpoint = profile.get(c.PROFILE_ENDPOINT)
    if endpoint is not None:
        parse_endpoint(endpoint, pfield(c.PROFILE_ENDPOINT),
                       allow_bare_ip=True)
    keepalive = profile.get(c.PROFILE_KEEPALIVE)
    if keepalive is not None:
        check_int(keepalive, pfield(c.PROFILE_KEEPALIVE), 0, 65535)
    peers = profile.get(c.PROFILE_PEERS, [])
    field = pfield(c.PROFILE_PEERS)
    if not isinstance(peers, list):
        fail(field, 'must be a list of hub port IDs')
    for peer in peers:
        if not is_port_id(peer):
            fail(field, '"%s" is not a port ID' % (peer,))
    if len(set(peers)) != len(peers):
        fail(field, 'lists a hub more than once')
    return {'public_key': key, 'endpoint': endpoint, 'peers': list(peers),
            'persistent_keepalive': keepalive, 'root_namespace': False}


def check_realized(public_key, listen_port, endpoint, mtu=None):
    """Arguments of hub_realized (from the agent)."""
    check_public_key(public_key, 'public_key')
    check_int(listen_port, 'listen_port', 1, 65535)
    if mtu is not None:
        check_int(mtu, 'mtu', 68, 65535)
    if endpoint is not None:
        parse_endpoint(endpoint, 'endpoint')
