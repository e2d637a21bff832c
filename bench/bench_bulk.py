"""Bulk spoke creation benchmark (bench/bench-bulk.sh).

One bulk POST /v2.0/ports of --ports ports through Neutron's WSGI stack,
in-process on Neutron's own ML2 test base (SQLite): by Neutron alone
(--mode base: mechanism driver 'logger', no extension driver) and with
networking-wireguard loaded (--mode wireguard: mechanism drivers
'wireguard,logger', extension driver 'wireguard'). The request body is the
same on both sides: ports whose binding:profile makes each a spoke of one
hub (wg_role, public_key, peers); Neutron alone stores that profile, our
drivers validate it, persist the spoke and notify the hub's agent. The
ports are deleted after each timed POST (untimed), so every POST meets the
same database. Each side prints one JSON line:
{"mode", "ports", "wall_ms": [...], "cpu_ms": [...], "queries"}
(queries: SQL statements of the last POST).

--pair runs both modes at once, in lockstep: two resident processes
(--serve) POST one at a time in alternation (base, wireguard, wireguard,
base, ...), so a change of machine load hits both sides alike (the method
of bench_ports.py). --profile prints a cProfile of one POST to stderr.
"""

import argparse
import base64
import gc
import json
import os
import sys
import time
import unittest

from neutron.tests.unit.plugins.ml2 import test_plugin
from neutron_lib import context as n_context
from neutron_lib.plugins import directory
from oslo_config import cfg
from sqlalchemy.engine import Engine
from sqlalchemy import event

import bench_lockstep

ARGS = None
RESULT = {}
HOST = 'bench-bulk-node'


class BulkSpokes(test_plugin.Ml2PluginV2TestCase):

    def setUp(self):
        if ARGS.mode == 'wireguard':
            self._mechanism_drivers = ['wireguard', 'logger']
            cfg.CONF.set_override('extension_drivers', ['wireguard'],
                                  group='ml2')
        else:
            self._mechanism_drivers = ['logger']
            cfg.CONF.set_override('extension_drivers', [], group='ml2')
        super().setUp()

    def _hub(self, net):
        body = {'port': {'network_id': net['id'],
                         'project_id': net['project_id'],
                         'binding:host_id': HOST,
                         'binding:profile': {'wg_role': 'hub'}}}
        req = self.new_create_request('ports', body, self.fmt)
        res = req.get_response(self.api)
        self.assertEqual(201, res.status_int, res.body)
        return self.deserialize(self.fmt, res)['port']['id']

    def _bulk(self, net, hub):
        ports = [{'network_id': net['id'], 'project_id': net['project_id'],
                  'binding:profile': {
                      'wg_role': 'spoke', 'peers': [hub],
                      'public_key': base64.b64encode(
                          os.urandom(32)).decode()}}
                 for _ in range(ARGS.ports)]
        req = self.new_create_request('ports', {'ports': ports}, self.fmt)
        counter = bench_lockstep.Counter()
        event.listen(Engine, 'before_cursor_execute', counter)
        try:
            start = time.perf_counter(), time.process_time()
            res = req.get_response(self.api)
            wall = (time.perf_counter() - start[0]) * 1000.0
            cpu = (time.process_time() - start[1]) * 1000.0
        finally:
            event.remove(Engine, 'before_cursor_execute', counter)
        self.assertEqual(201, res.status_int, res.body)
        made = self.deserialize(self.fmt, res)['ports']
        self.assertEqual(ARGS.ports, len(made))
        if ARGS.mode == 'wireguard':  # our drivers saw them as spokes
            self.assertEqual([[hub]] * ARGS.ports,
                             [[p['port_id'] for p in m['wireguard']['peers']]
                              for m in made])
        plugin, ctx = directory.get_plugin(), n_context.get_admin_context()
        for m in made:  # untimed: every POST meets the same database
            plugin.delete_port(ctx, m['id'])
        return round(wall, 2), round(cpu, 2), counter.n

    def test_bulk(self):
        net = self._make_network(self.fmt, 'bench', True)['network']
        self._make_subnet(self.fmt, {'network': net}, '10.128.0.1',
                          '10.128.0.0/16')
        hub = self._hub(net)
        self._bulk(net, hub)  # warm caches once
        gc.collect()
        gc.freeze()
        if ARGS.serve:
            return self._serve(net, hub)
        if ARGS.profile:
            import cProfile
            import pstats
            prof = cProfile.Profile()
            prof.runcall(self._bulk, net, hub)
            pstats.Stats(prof, stream=sys.stderr).sort_stats(
                'cumulative').print_stats(ARGS.profile_filter, 40)
        out = {'mode': ARGS.mode, 'ports': ARGS.ports, 'wall_ms': [],
               'cpu_ms': []}
        for _ in range(ARGS.repeat):
            wall, cpu, out['queries'] = self._bulk(net, hub)
            out['wall_ms'].append(wall)
            out['cpu_ms'].append(cpu)
        RESULT.update(out)

    def _serve(self, net, hub):
        """Lockstep side: a line "post" on stdin -> one timed POST, a line
        "RESULT {wall, cpu, queries}" on stdout."""
        print('READY', flush=True)
        for line in sys.stdin:
            if line.strip() != 'post':
                break
            wall, cpu, queries = self._bulk(net, hub)
            print('RESULT ' + json.dumps({'wall': wall, 'cpu': cpu,
                                          'queries': queries}), flush=True)
        RESULT['served'] = True


def pair():
    """Both modes in lockstep; one JSON line per mode (as --mode prints)."""
    with bench_lockstep.sides(__file__, ['--ports', str(ARGS.ports)]) as procs:
        out = {m: {'mode': m, 'ports': ARGS.ports, 'wall_ms': [],
                   'cpu_ms': []} for m in bench_lockstep.MODES}
        for mode in bench_lockstep.MODES:
            bench_lockstep.read_result(procs[mode], 'READY')
        for i in range(ARGS.repeat):
            for mode in bench_lockstep.order(i):
                r = bench_lockstep.ask(procs[mode], 'post')
                out[mode]['wall_ms'].append(r['wall'])
                out[mode]['cpu_ms'].append(r['cpu'])
                out[mode]['queries'] = r['queries']
        for mode in bench_lockstep.MODES:
            print(json.dumps(out[mode]))
    return 0


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument('--mode', choices=('base', 'wireguard'))
    parser.add_argument('--pair', action='store_true',
                        help='both modes in lockstep (two processes)')
    parser.add_argument('--serve', action='store_true',
                        help='(internal) one side of --pair')
    parser.add_argument('--ports', type=int, default=100)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--profile', action='store_true',
                        help='print a cProfile of one POST to stderr')
    parser.add_argument('--profile-filter', default='',
                        help='only the functions whose path matches')
    ARGS = parser.parse_args()
    if ARGS.pair:
        return pair()
    if ARGS.mode is None:
        parser.error('--mode or --pair is required')
    if ARGS.mode == 'wireguard':
        from networking_wireguard.db import models  # noqa: F401
    result = unittest.TestResult()
    BulkSpokes('test_bulk').run(result)
    for _case, trace in result.errors + result.failures:
        sys.stderr.write(trace)
    if not result.wasSuccessful() or not RESULT:
        return 1
    if not ARGS.serve:
        print(json.dumps(RESULT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
