"""Bulk ports for bench/bench-pairs.sh (100 hubs x 100 spokes).

create --phase hubs: a network and a /24 subnet per hub (what a cloud
does: hub i and its spokes on 10.200.<i+1>.0/24; their ids to --net-ids
as they are made), then the HUBS hubs bound to HOST (one bulk POST
/v2.0/ports), their ids with their network and subnet to --hub-ids;
--phase spokes: SPOKES spokes per hub of --hub-ids (one bulk POST per hub,
--jobs of them in flight, started a few seconds apart so that each is
accepted by an idle API worker: eventlet's accept loop takes every
connection already queued), each with its own public key and, unless
--spoke-port-security, port_security_enabled false (no security groups: a
spoke is not a VIF, its traffic arrives inside its hub's tunnel). The port
ids are written to --ids (one a line) as they are created, so the caller
deletes what exists whatever happens. Every port gets its address from
this script (hub i: 10.200.<i+1>.1, spoke j of hub i: 10.200.<i+1>.<j+10>).
--shared-network (the bench before): every hub and spoke on one network
with one /16 subnet (hub i: 10.200.0.<i+1>).
delete: DELETE /v2.0/ports/<id> of every id in --ids, 4 at a time, then
every network of --net-ids.
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


def networks(a):
    """[(network, subnet)] of every hub: its own (two bulk POSTs: the
    networks, then their subnets), or the shared one."""
    if a.shared_network:
        return [(a.network, a.subnet)] * a.hubs
    nets = [n['id'] for n in call(a.api, 'POST', '/networks', {'networks': [
        {'name': 'pairs-%d' % h, 'project_id': a.project}
        for h in range(a.hubs)]})['networks']]
    with open(a.net_ids, 'a') as f:
        f.write(''.join(n + '\n' for n in nets))
    subs = call(a.api, 'POST', '/subnets', {'subnets': [
        {'network_id': net, 'cidr': '10.200.%d.0/24' % (h + 1),
         'ip_version': 4, 'project_id': a.project, 'gateway_ip': None,
         'enable_dhcp': False} for h, net in enumerate(nets)]})['subnets']
    by_net = {s['network_id']: s['id'] for s in subs}
    return [(net, by_net[net]) for net in nets]


def address(a, subnet, hub, spoke=None):
    """fixed_ips of hub number hub (or of its spoke number spoke)."""
    if spoke is not None:
        ip = '10.200.%d.%d' % (hub + 1, spoke + 10)
    elif a.shared_network:
        ip = '10.200.0.%d' % (hub + 1)
    else:
        ip = '10.200.%d.1' % (hub + 1)
    return {'fixed_ips': [{'subnet_id': subnet, 'ip_address': ip}]}


def create_hubs(a):
    nets = networks(a)
    hubs = bulk(a.api, [{'network_id': net, 'project_id': a.project,
                         'name': 'pairs-hub-%d' % i,
                         'binding:host_id': a.host,
                         'binding:profile': {'wg_role': 'hub'},
                         **address(a, sub, i)}
                        for i, (net, sub) in enumerate(nets)], a.ids)
    with open(a.hub_ids, 'w') as f:
        f.write(''.join('%s %s %s\n' % (h, net, sub)
                        for h, (net, sub) in zip(hubs, nets)))
    print('created %d hubs' % len(hubs))


def spoke(a, net, sub, hub, h, j):
    port = {'network_id': net, 'project_id': a.project,
            'binding:profile': {
                'wg_role': 'spoke', 'peers': [hub],
                'public_key': base64.b64encode(os.urandom(32)).decode()},
            **address(a, sub, h, j)}
    if not a.spoke_port_security:
        port['port_security_enabled'] = False
    return port


def create(a):
    if a.hubs > 240 or a.spokes > 240:
        raise SystemExit('at most 240 hubs x 240 spokes (addresses)')
    if a.phase == 'hubs':
        return create_hubs(a)
    with open(a.hub_ids) as f:
        hubs = [line.split() for line in f if line.strip()]
    lock = threading.Lock()
    refused = threading.Event()

    def one_hub(h, hub, net, sub):
        if refused.is_set() or (a.deadline and time.time() > a.deadline):
            return 0  # out of time: the hubs after this one get none
        if h < a.jobs:  # the first POSTs apart: one per idle API worker
            time.sleep(h * a.stagger)
        spokes = [spoke(a, net, sub, hub, h, j) for j in range(a.spokes)]
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
        made = sum(ex.map(lambda hh: one_hub(hh[0], *hh[1]),
                          enumerate(hubs)))
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
    nets = []
    if a.net_ids and os.path.exists(a.net_ids):
        with open(a.net_ids) as f:
            nets = [line.strip() for line in f if line.strip()]
    for net in nets:
        try:
            call(a.api, 'DELETE', '/networks/' + net)
        except urllib.error.HTTPError as e:
            if e.code != 404:
                left.append(net)
    return 1 if left else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('action', choices=['create', 'delete'])
    p.add_argument('--api', required=True)
    p.add_argument('--ids', required=True)
    p.add_argument('--network')
    p.add_argument('--project')
    p.add_argument('--subnet', help='the shared network\'s subnet')
    p.add_argument('--shared-network', dest='shared_network',
                   action='store_true',
                   help='every port on --network (the bench before)')
    p.add_argument('--net-ids', dest='net_ids',
                   help='the networks made, one a line')
    p.add_argument('--spoke-port-security', dest='spoke_port_security',
                   action='store_true',
                   help='spokes keep port security (and security groups)')
    p.add_argument('--stagger', type=float, default=5,
                   help='seconds between the first --jobs POSTs')
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
