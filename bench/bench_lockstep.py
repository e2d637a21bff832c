# SPDX-License-Identifier: Apache-2.0
"""Shared plumbing of the Python benches that time Neutron alone against
Neutron with our drivers in lockstep (bench_ports.py, bench_bulk.py): two
processes of the same script, one per mode, each answering one timed run per
request line, so that both sides see the same machine load."""

import contextlib
import json
import subprocess
import sys

MODES = ('base', 'wireguard')


class Counter(object):
    """SQL statements seen (an sqlalchemy before_cursor_execute hook)."""

    def __init__(self):
        self.n = 0

    def __call__(self, *args, **kwargs):
        self.n += 1


def read_result(proc, prefix):
    """The rest of the next line of proc's stdout that starts with prefix."""
    for line in proc.stdout:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise RuntimeError('a bench side exited (see its stderr)')


def ask(proc, request):
    """Sends one request line; the side's "RESULT {...}" answer, decoded."""
    proc.stdin.write(request + '\n')
    proc.stdin.flush()
    return json.loads(read_result(proc, 'RESULT '))


@contextlib.contextmanager
def sides(script, args):
    """One serving process of script per mode (--mode M --serve + args),
    ended (stdin closed, waited for) on every exit path."""
    procs = {}
    try:
        for mode in MODES:
            procs[mode] = subprocess.Popen(
                [sys.executable, script, '--mode', mode, '--serve'] + args,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                universal_newlines=True)
        yield procs
    finally:
        for proc in procs.values():
            try:
                proc.stdin.close()
            except OSError:
                pass
            proc.wait()


def order(i):
    """The modes in the order of round i (alternating, so neither side is
    always first)."""
    return MODES if i % 2 == 0 else MODES[::-1]
