"""get_hubs 1.2: conditional answers (doc/contracts.md "get_hubs 1.2").

Each hub of a get_hubs answer gets a digest computed from the data it is
sent with; an agent that names, per hub, the digest it last applied gets
{"port_id", "digest", "unchanged": true} (no spokes) for a hub whose
answer still has that digest.
"""

import hashlib
import json

from neutron_lib import exceptions as n_exc

DIGEST_MAX = 64
MAX_DIGESTS = 100000


def _spoke_key(spoke):
    return spoke.get('port_id') or ''


def digest(hub):
    """sha256 (hex) of the hub's answer, spokes in port id order.

    Stable: the same data gives the same digest whatever the order the
    database returned the spokes in; any change of any field of the hub or
    of one of its spokes gives another.
    """
    canon = dict(hub)
    canon.pop('digest', None)
    canon['spokes'] = sorted(hub.get('spokes') or [], key=_spoke_key)
    text = json.dumps(canon, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def check_digests(digests):
    """Validates the agent's {port_id: digest}; None stays None."""
    if digests is None:
        return None
    if not isinstance(digests, dict) or len(digests) > MAX_DIGESTS:
        raise n_exc.InvalidInput(
            error_message="digests must be a dict {port_id: digest}")
    for port_id, value in digests.items():
        if (not isinstance(port_id, str) or not 0 < len(port_id) <= 64 or
                not isinstance(value, str) or
                not 0 < len(value) <= DIGEST_MAX):
            raise n_exc.InvalidInput(
                error_message="digests: bad entry for %r" % (port_id,))
    return digests


def answer(hub, digests):
    """The hub as a 1.2 caller gets it: with its digest, or unchanged."""
    value = digest(hub)
    if digests.get(hub['port_id']) == value:
        return {'port_id': hub['port_id'], 'digest': value,
                'unchanged': True}
    hub = dict(hub)
    hub['digest'] = value
    return hub
