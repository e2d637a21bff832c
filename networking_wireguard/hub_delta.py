"""get_hubs 1.3: a hub answered as the spokes changed since a known answer.

An agent that keeps the last answer it applied for a hub names the hub in
``deltas`` (with its digest in ``digests``). When this server process still
holds the spoke list of that answer (a snapshot keyed by hub and digest), the
hub is answered with its fields in full, only the spokes added or changed
since then, and the ids of the spokes removed::

    {..hub fields.., "digest": <new>, "base": <the agent's digest>,
     "spokes": [<added or changed spokes, in full>], "removed": [<ids>]}

Any other case (no snapshot: another RPC worker served the base, this
process restarted, the snapshot was evicted; a base this process never
answered) is answered in full, as 1.2 would. A snapshot is exact by
construction (the spoke hashes of the answer that carried that digest), so a
lost notification or a change made outside the driver only makes the delta
larger, never wrong.
"""

import collections
import hashlib
import json

from neutron_lib import exceptions as n_exc

from networking_wireguard import hub_digest

# Snapshots held by one server process, in spokes (LRU by hub and digest).
MAX_SNAPSHOT_SPOKES = 200000
# Digests kept per hub: the newest answers (two agents of an HA hub, a
# retried pass).
PER_HUB = 4
# Hubs with fewer spokes get no snapshot unless the caller names its own
# floor (delta_min: the agent's [wireguard] delta_min_spokes, default 256)
# or names the hub in deltas.
DELTA_MIN_SPOKES = 256
MAX_DELTA_MIN = 1000000


def spoke_hash(spoke):
    text = json.dumps(spoke, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).digest()[:16]


class Snapshots(object):
    """{(hub id, digest): {spoke id: spoke hash}}, bounded.

    put and get are O(1) amortized (plus the spokes of what they evict):
    an LRU over (hub, digest) and, per hub, its digests oldest first.
    ``steps`` counts the entries put and evicted (tests bound it).
    """

    def __init__(self, max_spokes=MAX_SNAPSHOT_SPOKES, per_hub=PER_HUB):
        self.max_spokes = max_spokes
        self.per_hub = per_hub
        self._lru = collections.OrderedDict()
        self._by_hub = {}  # hub id -> OrderedDict of its digests
        self._spokes = 0
        self.steps = 0

    def get(self, hub_id, value):
        snap = self._lru.get((hub_id, value))
        if snap is not None:
            self._lru.move_to_end((hub_id, value))
        return snap

    def put(self, hub_id, value, hashes):
        key = (hub_id, value)
        if key in self._lru:
            self._lru.move_to_end(key)
            return
        if len(hashes) > self.max_spokes:
            return
        self.steps += 1
        self._lru[key] = hashes
        self._spokes += len(hashes)
        mine = self._by_hub.setdefault(hub_id, collections.OrderedDict())
        mine[value] = True
        while len(mine) > self.per_hub:
            self._drop((hub_id, next(iter(mine))))
        while self._spokes > self.max_spokes:
            self._drop(next(iter(self._lru)))

    def _drop(self, key):
        self.steps += 1
        self._spokes -= len(self._lru.pop(key))
        mine = self._by_hub[key[0]]
        del mine[key[1]]
        if not mine:
            del self._by_hub[key[0]]

    def __len__(self):
        return len(self._lru)


SNAPSHOTS = Snapshots()


def check_delta_min(delta_min):
    """The caller's floor (an int >= 1); None: DELTA_MIN_SPOKES."""
    if delta_min is None:
        return DELTA_MIN_SPOKES
    if (isinstance(delta_min, bool) or not isinstance(delta_min, int) or
            not 1 <= delta_min <= MAX_DELTA_MIN):
        raise n_exc.InvalidInput(error_message=(
            "delta_min must be an integer 1..%d" % MAX_DELTA_MIN))
    return delta_min


def check_deltas(deltas, digests):
    """Validates the agent's [port_id, ...]; None stays None."""
    if deltas is None:
        return None
    if (digests is None or not isinstance(deltas, list) or
            len(deltas) > hub_digest.MAX_DIGESTS):
        raise n_exc.InvalidInput(error_message=(
            "deltas must be a list of port ids, sent with digests"))
    for port_id in deltas:
        if not isinstance(port_id, str) or not 0 < len(port_id) <= 64:
            raise n_exc.InvalidInput(
                error_message="deltas: bad entry %r" % (port_id,))
    return set(deltas)


def answer(hub, digests, deltas, snapshots=None,
           delta_min=DELTA_MIN_SPOKES):
    """The hub as a 1.3 caller gets it: unchanged, a delta, or in full.

    Keeps the snapshot of the answer it gives (full or delta) when the hub
    has at least delta_min spokes or is named in deltas, so the next call
    can be answered as a delta against it.
    """
    snapshots = SNAPSHOTS if snapshots is None else snapshots
    value = hub_digest.digest(hub)
    hub_id = hub['port_id']
    base = digests.get(hub_id)
    if base == value:
        return {'port_id': hub_id, 'digest': value, 'unchanged': True}
    spokes = hub.get('spokes') or []
    if hub_id not in deltas and len(spokes) < delta_min:
        out = dict(hub)  # too small to be kept by the agent: as 1.2
        out['digest'] = value
        return out
    hashes = {s.get('port_id'): spoke_hash(s) for s in spokes}
    snap = snapshots.get(hub_id, base) if hub_id in deltas else None
    snapshots.put(hub_id, value, hashes)
    out = dict(hub)
    out['digest'] = value
    if snap is None or len(hashes) != len(spokes):
        return out  # no base here (or duplicate spoke ids): in full
    out['base'] = base
    out['spokes'] = [s for s in spokes
                     if snap.get(s.get('port_id')) != hashes[s.get('port_id')]]
    out['removed'] = sorted(k for k in snap if k not in hashes)
    return out
