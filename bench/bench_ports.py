"""One side of the port-listing benchmark (bench/bench-ports.sh).

Lists N ordinary ports in-process on Neutron's own ML2 test base (SQLite),
either with Neutron alone (--mode base: mechanism driver 'logger', no
extension driver) or with networking-wireguard loaded (--mode wireguard:
mechanism drivers 'wireguard,logger', extension driver 'wireguard'). Each
mode runs in its own process: the driver's ORM relationship is global to
the Port mapper once imported. Prints one JSON line:
{"mode", "ports", "plugin_wall_ms": [...], "plugin_cpu_ms": [...],
"api_wall_ms": [...], "api_cpu_ms": [...], "queries_plugin", "queries_api"}
(every repetition; queries = SQL statements of one listing). "plugin" is
ML2's get_ports(), "api" a GET /v2.0/ports through Neutron's WSGI stack.

--pair runs both modes at once, in lockstep: two resident processes
(--serve) list one at a time in alternation (base, wireguard, wireguard,
base, ...), so a change of machine load hits both sides alike, and prints
one JSON line per mode. Before timing, each process moves the objects of
Neutron's test base into the collector's permanent generation
(gc.freeze()): a full collection of those ~375,000 objects takes ~200 ms
and otherwise lands in whichever listing crosses the allocation threshold.
Collections of a listing's own garbage are still counted.
"""

import argparse
import gc
import json
import sys
import time
import unittest

from neutron.db import models_v2
from neutron.plugins.ml2 import models as ml2_models
from neutron.tests.unit.plugins.ml2 import test_plugin
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib.plugins import directory
from oslo_config import cfg
from oslo_utils import uuidutils
from sqlalchemy.engine import Engine
from sqlalchemy import event

import bench_lockstep

ARGS = None
RESULT = {}


class PortListing(test_plugin.Ml2PluginV2TestCase):

    def setUp(self):
        if ARGS.mode == 'wireguard':
            self._mechanism_drivers = ['wireguard', 'logger']
            cfg.CONF.set_override('extension_drivers', ['wireguard'],
                                  group='ml2')
        else:
            self._mechanism_drivers = ['logger']
            cfg.CONF.set_override('extension_drivers', [], group='ml2')
        super().setUp()

    def _insert_ports(self, network, n):
        # Straight into the tables (creating 3,000 ports through ML2 would
        # take minutes): a port with its active binding, as a VM has.
        ctx = n_context.get_admin_context()
        with db_api.CONTEXT_WRITER.using(ctx):
            for i in range(n):
                pid = uuidutils.generate_uuid()
                ctx.session.add(models_v2.Port(
                    id=pid, project_id=network['project_id'],
                    network_id=network['id'],
                    mac_address='fa:16:3e:%02x:%02x:%02x' % (
                        i >> 16 & 255, i >> 8 & 255, i & 255),
                    admin_state_up=True, status='ACTIVE',
                    device_id=uuidutils.generate_uuid(),
                    device_owner='compute:nova'))
                ctx.session.add(ml2_models.PortBinding(
                    port_id=pid, host='compute-%d' % (i % 10),
                    vif_type='ovs', vnic_type='normal', profile='',
                    vif_details='{"port_filter": true}', status='ACTIVE'))

    def _timed(self, fn):
        counter = bench_lockstep.Counter()
        event.listen(Engine, 'before_cursor_execute', counter)
        try:
            start = time.perf_counter(), time.process_time()
            count = fn()
            wall = (time.perf_counter() - start[0]) * 1000.0
            cpu = (time.process_time() - start[1]) * 1000.0
        finally:
            event.remove(Engine, 'before_cursor_execute', counter)
        self.assertEqual(ARGS.ports, count)
        return round(wall, 2), round(cpu, 2), counter.n

    def test_list(self):
        net = self._make_network(self.fmt, 'bench', True)['network']
        self._insert_ports(net, ARGS.ports)
        plugin = directory.get_plugin()
        ctx = n_context.get_admin_context()

        def plugin_list():
            return len(plugin.get_ports(ctx))

        def api_list():
            return len(self._list('ports')['ports'])

        # warm caches once; the attribute is there (null) with our drivers,
        # checked here, outside the timed listings
        ports = plugin.get_ports(ctx)
        if ARGS.mode == 'wireguard':
            self.assertEqual([None] * ARGS.ports,
                             [p['wireguard'] for p in ports])
        else:
            self.assertNotIn('wireguard', ports[0])
        api_list()
        self._count_calls({'plugin': plugin_list, 'api': api_list})
        gc.collect()
        gc.freeze()
        if ARGS.serve:
            return self._serve({'plugin': plugin_list, 'api': api_list})
        if ARGS.profile:
            import cProfile
            import pstats
            prof = cProfile.Profile()
            prof.runcall(api_list if ARGS.profile == 'api' else plugin_list)
            pstats.Stats(prof, stream=sys.stderr).sort_stats(
                'tottime').print_stats(25)
        out = {'mode': ARGS.mode, 'ports': ARGS.ports}
        for name in ('plugin', 'api'):
            out[name + '_wall_ms'], out[name + '_cpu_ms'] = [], []
        for _ in range(ARGS.repeat):
            for name, fn in (('plugin', plugin_list), ('api', api_list)):
                wall, cpu, out['queries_' + name] = self._timed(fn)
                out[name + '_wall_ms'].append(wall)
                out[name + '_cpu_ms'].append(cpu)
        RESULT.update(out)

    def _count_calls(self, listings):
        """Python function calls of one listing of each kind (cProfile,
        outside the timed listings): a measure of the work that machine
        load does not change."""
        import cProfile
        import pstats
        for name, fn in listings.items():
            prof = cProfile.Profile()
            prof.runcall(fn)
            RESULT['calls_' + name] = sum(
                v[1] for v in pstats.Stats(prof).stats.values())

    def _serve(self, listings):
        """Lockstep side: a line "plugin" or "api" on stdin -> one timed
        listing, a line "RESULT {wall, cpu, queries}" on stdout."""
        print('READY ' + json.dumps({k: v for k, v in RESULT.items()
                                     if k.startswith('calls_')}), flush=True)
        for line in sys.stdin:
            name = line.strip()
            if name not in listings:
                break
            wall, cpu, queries = self._timed(listings[name])
            print('RESULT ' + json.dumps({'wall': wall, 'cpu': cpu,
                                          'queries': queries}), flush=True)
        RESULT['served'] = True


def pair():
    """Both modes in lockstep; one JSON line per mode (as --mode prints)."""
    with bench_lockstep.sides(__file__, ['--ports', str(ARGS.ports)]) as procs:
        out = {m: {'mode': m, 'ports': ARGS.ports}
               for m in bench_lockstep.MODES}
        for mode in bench_lockstep.MODES:
            out[mode].update(json.loads(
                bench_lockstep.read_result(procs[mode], 'READY ')))
        for o in out.values():
            for name in ('plugin', 'api'):
                o[name + '_wall_ms'], o[name + '_cpu_ms'] = [], []
        for i in range(ARGS.repeat):
            for name in ('plugin', 'api'):
                for mode in bench_lockstep.order(i):
                    r = bench_lockstep.ask(procs[mode], name)
                    out[mode][name + '_wall_ms'].append(r['wall'])
                    out[mode][name + '_cpu_ms'].append(r['cpu'])
                    out[mode]['queries_' + name] = r['queries']
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
    parser.add_argument('--ports', type=int, required=True)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--profile', choices=('plugin', 'api'),
                        help='print a cProfile of one listing to stderr')
    ARGS = parser.parse_args()
    if ARGS.pair:
        return pair()
    if ARGS.mode is None:
        parser.error('--mode or --pair is required')
    if ARGS.mode == 'wireguard':
        # the driver's tables exist in the test database (as after
        # neutron-db-manage) and its relationship joins the Port query
        from networking_wireguard.db import models  # noqa: F401
    result = unittest.TestResult()
    PortListing('test_list').run(result)
    for _case, trace in result.errors + result.failures:
        sys.stderr.write(trace)
    if not result.wasSuccessful() or not RESULT:
        return 1
    if not ARGS.serve:
        print(json.dumps(RESULT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
