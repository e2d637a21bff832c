"""Spoke creation through the Neutron API, ways side by side (not a test).

What bench/bench-pairs.sh could do to create its 10,000 spokes faster, each
way measured in the same run on the same neutron-server: every round
creates one hub's spokes (bulk POST /v2.0/ports) in each way, in a rotating
order, so the machine's load falls on every way alike. Every port goes
through the API. Ways (--ways, comma separated):
  shared     one network and one /16 subnet for every hub (the bench before)
  pernet     a network and a /24 subnet per hub (hub and its spokes)
  pernet-nops  pernet, spokes with port_security_enabled false (no
             security groups: a spoke is not a VIF; its traffic arrives
             through its hub's tunnel)
  pernet-nops-b25  pernet-nops in bulk POSTs of 25 instead of --spokes
  pernet-noip  pernet-nops, spokes without an address (reference only: a
             spoke with no address gets no allowed IP on its hub)
  pernet-nops-x2  pernet-nops, two hubs' POSTs in flight (the second
             started 3 s after the first, so that another API worker
             accepts it): the time a spoke is the pair's wall time over
             both POSTs' spokes; the CPU, that of the whole server
Every port is given its address (hub .1, spoke j .j+10), as bench-pairs does.
Prints the seconds a spoke of every POST, then each way's median and its
ratio to the first way. Leaves the ports: run it in a dedicated harness
instance whose database is dropped after (bench-pairs.sh's PAIRS_TEARDOWN).
"""

import argparse
import base64
import json
import os
import statistics
import sys
import threading
import time
import urllib.request


def call(api, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(api + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=900) as resp:
        text = resp.read()
    return json.loads(text) if text else None


def cpu(pids):
    """CPU seconds (user + system) of the processes pids (neutron-server's
    workers): what a POST cost the server, less load-bound than its wall
    time."""
    total = 0
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf('SC_CLK_TCK')


def network(a, name, cidr):
    net = call(a.api, 'POST', '/networks', {'network': {
        'name': name, 'project_id': a.project}})['network']['id']
    sub = call(a.api, 'POST', '/subnets', {'subnet': {
        'network_id': net, 'cidr': cidr, 'ip_version': 4,
        'project_id': a.project, 'gateway_ip': None,
        'enable_dhcp': False}})['subnet']['id']
    return net, sub


class Way(object):
    def __init__(self, a, idx, name):
        self.a, self.name, self.idx = a, name, idx
        self.samples, self.cpus = [], []
        self.shared = None
        if name == 'shared':
            self.shared = network(a, 'v%d-shared' % idx,
                                  '10.%d.0.0/16' % (100 + idx))
        self.bulk = 25 if name.endswith('-b25') else a.spokes

    def hub(self, h):
        """(network, subnet, prefix) of hub h, and the hub port."""
        if self.shared:
            net, sub = self.shared
            prefix = '10.%d.%d.' % (100 + self.idx, h + 1)
        else:
            net, sub = network(self.a, 'v%d-%d' % (self.idx, h),
                               '10.%d.%d.0/24' % (100 + self.idx, h + 1))
            prefix = '10.%d.%d.' % (100 + self.idx, h + 1)
        port = call(self.a.api, 'POST', '/ports', {'port': {
            'network_id': net, 'project_id': self.a.project,
            'name': 'v%d-hub-%d' % (self.idx, h),
            'binding:host_id': self.a.host,
            'binding:profile': {'wg_role': 'hub'},
            'fixed_ips': [{'subnet_id': sub,
                           'ip_address': prefix + '1'}]}})['port']['id']
        return net, sub, prefix, port

    def spokes(self, h):
        if not self.name.endswith('-x2'):
            return self.post(self.ports(h), h)
        two = [self.ports(2 * h), self.ports(2 * h + 1)]
        t0, c0 = time.time(), cpu(self.a.pids)

        def one(i):
            time.sleep(3 * i)
            call(self.a.api, 'POST', '/ports', {'ports': two[i]})
        threads = [threading.Thread(target=one, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n = len(two[0]) + len(two[1])
        dt, dc = time.time() - t0, cpu(self.a.pids) - c0
        self.samples.append(dt / n)
        self.cpus.append(dc / n)
        print('%-16s hubs %d+%d: %d spokes in %.1f s (%.3f s a spoke, '
              'server CPU %.3f s a spoke), load %.1f'
              % (self.name, 2 * h, 2 * h + 1, n, dt, dt / n, dc / n,
                 os.getloadavg()[0]), flush=True)

    def ports(self, h):
        net, sub, prefix, hub = self.hub(h)
        ports = []
        for j in range(self.a.spokes):
            p = {'network_id': net, 'project_id': self.a.project,
                 'binding:profile': {
                     'wg_role': 'spoke', 'peers': [hub],
                     'public_key': base64.b64encode(os.urandom(32)).decode()}}
            if self.name != 'pernet-noip':
                p['fixed_ips'] = [{'subnet_id': sub,
                                   'ip_address': prefix + str(j + 10)}]
            else:
                p['fixed_ips'] = []
            if 'nops' in self.name or self.name == 'pernet-noip':
                p['port_security_enabled'] = False
            ports.append(p)
        return ports

    def post(self, ports, h):
        for i in range(0, len(ports), self.bulk):
            chunk = ports[i:i + self.bulk]
            t0, c0 = time.time(), cpu(self.a.pids)
            made = call(self.a.api, 'POST', '/ports', {'ports': chunk})
            dt, dc = time.time() - t0, cpu(self.a.pids) - c0
            assert len(made['ports']) == len(chunk)
            self.samples.append(dt / len(chunk))
            self.cpus.append(dc / len(chunk))
            print('%-16s hub %d: %d spokes in %.1f s (%.3f s a spoke, '
                  'server CPU %.3f s a spoke), load %.1f'
                  % (self.name, h, len(chunk), dt, dt / len(chunk),
                     dc / len(chunk), os.getloadavg()[0]), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--api', required=True)
    p.add_argument('--project', required=True)
    p.add_argument('--host', required=True)
    p.add_argument('--hubs', type=int, default=2)
    p.add_argument('--spokes', type=int, default=100)
    p.add_argument('--pids', default='',
                   help='neutron-server processes whose CPU is counted')
    p.add_argument('--ways', default='shared,pernet,pernet-nops')
    a = p.parse_args()
    a.pids = [int(x) for x in a.pids.split(',') if x]
    call(a.api, 'PUT', '/quotas/' + a.project, {'quota': {
        'port': -1, 'network': -1, 'subnet': -1}})
    ways = [Way(a, i, n) for i, n in enumerate(a.ways.split(','))]
    for h in range(a.hubs):
        order = ways[h % len(ways):] + ways[:h % len(ways)]
        for w in order:
            w.spokes(h)
    base = statistics.median(ways[0].samples)
    cbase = statistics.median(ways[0].cpus) or 1
    for w in ways:
        m, mc = statistics.median(w.samples), statistics.median(w.cpus)
        print('way %-16s median %.3f s a spoke (%.2fx), server CPU %.3f s '
              'a spoke (%.2fx) over %d POSTs; x: of %s'
              % (w.name, m, m / base, mc, mc / cbase, len(w.samples),
                 ways[0].name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
