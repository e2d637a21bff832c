"""One side of the hub_realized benchmark (bench/bench-realized.sh).

Runs neutron-server's handling of the agent's hub_realized report
in-process, on Neutron's own ML2 test base (SQLite) with the driver tree
found first on sys.path: N hubs bound to a host with a live WireGuard agent,
each reported twice (the first report, then the same report again, as an
agent's resync sends it). Prints one JSON line: {"first_cpu_ms": [...],
"again_cpu_ms": [...], "first_sql", "again_sql", "first_reads",
"again_reads"} (statements and full port reads (plugin get_port) of the
last hub's reports). The objects of the test base are frozen out of the
garbage collector first (gc.freeze()), as in bench_ports.py.
"""

import argparse
import gc
import json
import sys
import time
import unittest
from unittest import mock

from neutron.plugins.ml2 import plugin as ml2_plugin
from neutron_lib import context as n_context
from sqlalchemy.engine import Engine
from sqlalchemy import event

from networking_wireguard import rpc
from networking_wireguard.tests.unit import test_mech_driver as base

ARGS = None
RESULT = {}


class Reports(base.WireGuardDriverTestCase):

    def _report(self, callback, hub_id):
        statements = []

        def count(*args, **kwargs):
            statements.append(1)

        cls = ml2_plugin.Ml2Plugin
        with mock.patch.object(cls, 'get_port', autospec=True,
                               side_effect=cls.get_port) as reads:
            event.listen(Engine, 'before_cursor_execute', count)
            try:
                start = time.process_time()
                callback.hub_realized(
                    n_context.get_admin_context(), hub_id, base.key(9),
                    51820, '203.0.113.1:51820', 'wg-' + hub_id[:11],
                    'tun-x', 1420, host=base.HOST)
                cpu = (time.process_time() - start) * 1000.0
            finally:
                event.remove(Engine, 'before_cursor_execute', count)
        return round(cpu, 2), len(statements), reads.call_count

    def test_reports(self):
        base.wg_agent(base.HOST)
        callback = rpc.WireGuardRpcCallback(self.mech)
        hubs = [self.hub()['id'] for _ in range(ARGS.hubs + 1)]
        self._report(callback, hubs.pop())     # warm caches once
        gc.collect()
        gc.freeze()
        out = {'first_cpu_ms': [], 'again_cpu_ms': []}
        for hub_id in hubs:
            for kind in ('first', 'again'):
                cpu, sql, reads = self._report(callback, hub_id)
                out[kind + '_cpu_ms'].append(cpu)
                out[kind + '_sql'], out[kind + '_reads'] = sql, reads
        RESULT.update(out)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument('--hubs', type=int, default=10)
    ARGS = parser.parse_args()
    result = unittest.TestResult()
    Reports('test_reports').run(result)
    for _case, trace in result.errors + result.failures:
        sys.stderr.write(trace)
    if not result.wasSuccessful() or not RESULT:
        return 1
    print(json.dumps(RESULT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
