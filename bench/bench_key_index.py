"""The spoke key clash check (db/api.py spokes_with_key) with and without
the index on wireguard_ports.public_key (migration 920d6c3fa5fd).

One hub with N spokes in the driver's two tables (SQLite in memory, the
models' own DDL), then the lookup every spoke create makes: a key nobody
uses, on that hub. Prints the median time of one lookup (5 rounds of 200)
with the index and, side by side, with the index dropped, and the ratio.
Not a test; from the repository's root:
`PYTHONPATH=. /usr/bin/python3 bench/bench_key_index.py [N ...]` (default
100 1000 10000).
"""

import base64
import os
import statistics
import sys
import time
import uuid

from neutron.db import models_v2
import sqlalchemy as sa
from sqlalchemy import orm

from networking_wireguard.db import api as db
from networking_wireguard.db import models


def key():
    return base64.b64encode(os.urandom(32)).decode()


def lookup_ms(n, index):
    engine = sa.create_engine('sqlite://')
    models.WireGuardPort.metadata.create_all(engine, tables=[
        models_v2.Port.__table__, models.WireGuardPort.__table__,
        models.WireGuardPeer.__table__])
    if not index:
        with engine.begin() as conn:
            conn.execute(sa.text('DROP INDEX ix_wireguard_ports_public_key'))
    hub = str(uuid.uuid4())
    spokes = [(str(uuid.uuid4()), key()) for _ in range(n)]
    with engine.begin() as conn:
        conn.execute(models.WireGuardPort.__table__.insert(),
                     [{'port_id': hub, 'role': 'hub', 'public_key': key()}])
        conn.execute(models.WireGuardPort.__table__.insert(),
                     [{'port_id': s, 'role': 'spoke', 'public_key': k}
                      for s, k in spokes])
        conn.execute(models.WireGuardPeer.__table__.insert(),
                     [{'spoke_port_id': s, 'hub_port_id': hub}
                      for s, _k in spokes])
    session = orm.Session(engine)
    # the check must find a clash, with or without the index
    if db.spokes_with_key(session, spokes[-1][1], [hub], 'x') is None:
        raise SystemExit('spokes_with_key missed a used key')
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(200):
            db.spokes_with_key(session, key(), [hub], 'x')
        rounds.append((time.perf_counter() - t0) / 200 * 1000)
    return statistics.median(rounds)


def main():
    for n in [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]:
        with_ix, without = lookup_ms(n, True), lookup_ms(n, False)
        print('key clash check, %6d spokes on the hub: indexed %.3f ms, '
              'no index %.3f ms (%.1fx)' % (n, with_ix, without,
                                            without / with_ix))
    return 0


if __name__ == '__main__':
    sys.exit(main())
