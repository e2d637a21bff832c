"""Bulk ports for bench/bench-pairs.sh (100 hubs x 100 spokes).

create --phase hubs: HUBS hubs bound to HOST (one bulk POST /v2.0/ports),
their ids to --hub-ids; --phase spokes: SPOKES spokes per hub of --hub-ids
(one bulk POST per hub, --jobs of them in flight), each with its own
public key; the
port ids are written to --ids (one a line) as they are created, so the
caller deletes what exists whatever happens. With --subnet every port gets
its address from this script (hub i: 10.200.0.<i+1>, spoke j of hub i:
10.200.<i+1>.<j+10>): Neutron's IPAM then checks one address instead of
reading every allocation of the subnet to pick a free one, which made each
port of a 10,000-port subnet slower than the one before.
delete: DELETE /v2.0/ports/<id> of every id in --ids, 4 at a time.
"""

import argparse
import base64
import concurrent.futures
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request


def call(api, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(api + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=600) as resp:
        text = resp.read()
    return json.loads(text) if text else None


def bulk(api, ports, ids_file, lock=None):
    made = call(api, 'POST', '/ports', {'ports': ports})['ports']
    with lock or threading.Lock():
        with open(ids_file, 'a') as f:
            f.write(''.join(p['id'] + '\n' for p in made))
    return [p['id'] for p in made]


def address(a, hub, spoke=None):
    """fixed_ips of hub number hub (or of its spoke number spoke)."""
    if not a.subnet:
        return {}
    ip = ('10.200.0.%d' % (hub + 1) if spoke is None else
          '10.200.%d.%d' % (hub + 1, spoke + 10))
    return {'fixed_ips': [{'subnet_id': a.subnet, 'ip_address': ip}]}


def create(a):
    base = {'network_id': a.network, 'project_id': a.project}
    if a.hubs > 240 or a.spokes > 240:
        raise SystemExit('at most 240 hubs x 240 spokes (addresses)')
    if a.phase == 'hubs':
        hubs = bulk(a.api, [dict(base, name='pairs-hub-%d' % i,
                                 **{'binding:host_id': a.host,
                                    'binding:profile': {'wg_role': 'hub'}},
                                 **address(a, i))
                            for i in range(a.hubs)], a.ids)
        with open(a.hub_ids, 'w') as f:
            f.write(''.join(h + '\n' for h in hubs))
        print('created %d hubs' % len(hubs))
        return
    with open(a.hub_ids) as f:
        hubs = [line.strip() for line in f if line.strip()]
    lock = threading.Lock()
    refused = threading.Event()

    def one_hub(h, hub):
        if refused.is_set() or (a.deadline and time.time() > a.deadline):
            return 0  # out of time: the hubs after this one get none
        spokes = [dict(base, **{'binding:profile': {
            'wg_role': 'spoke', 'peers': [hub],
            'public_key': base64.b64encode(os.urandom(32)).decode()}},
            **address(a, h, j))
            for j in range(a.spokes)]
        t0 = time.time()
        try:
            made = bulk(a.api, spokes, a.ids, lock)
        except urllib.error.HTTPError as e:  # stop there: report what exists
            refused.set()
            print('bulk POST of %d spokes refused: %s %s' % (
                len(spokes), e.code, e.read()[:300]), flush=True)
            return 0
        print('hub %d: %d spokes in %.1f s' % (h, len(made), time.time() - t0),
              flush=True)
        return len(made)

    # --jobs bulk POSTs in flight (one hub each): neutron-server's API
    # workers serve them side by side
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        made = sum(ex.map(lambda hh: one_hub(*hh), enumerate(hubs)))
    print('created %d spokes' % made)


def delete(a):
    with open(a.ids) as f:
        ids = [line.strip() for line in f if line.strip()]

    def one(port_id):
        try:
            call(a.api, 'DELETE', '/ports/' + port_id)
        except urllib.error.HTTPError as e:
            if e.code != 404:
                return port_id
        return None

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        left = [p for p in ex.map(one, reversed(ids)) if p]
    print('deleted %d ports, %d failed' % (len(ids) - len(left), len(left)))
    return 1 if left else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('action', choices=['create', 'delete'])
    p.add_argument('--api', required=True)
    p.add_argument('--ids', required=True)
    p.add_argument('--network')
    p.add_argument('--project')
    p.add_argument('--subnet', help='give every port its address (IPAM)')
    p.add_argument('--host')
    p.add_argument('--hubs', type=int, default=100)
    p.add_argument('--spokes', type=int, default=100)
    p.add_argument('--phase', choices=['hubs', 'spokes'], default='hubs')
    p.add_argument('--hub-ids', dest='hub_ids')
    p.add_argument('--jobs', type=int, default=1,
                   help='bulk POSTs of spokes in flight (one hub each)')
    p.add_argument('--deadline', type=float, default=0,
                   help='unix time after which no more spokes are created')
    a = p.parse_args()
    if a.action == 'create':
        create(a)
        return 0
    return delete(a)


if __name__ == '__main__':
    sys.exit(main())
