#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One TCP session held across HA failovers (tests/multinode/ha_failover.sh).

server PORT OUT: accepts one connection, checks that every line is the
    previous one + 1 (a gap or a duplicate is counted), echoes each line back,
    and at the client's end of stream writes "lines=N gaps=G reset=0|1" to OUT.
client ADDR PORT OUT STOPFILE: sends a counter every 20 ms until STOPFILE
    exists, then half-closes and waits (10 s at most) for every echo. Writes
    "sent=N echoed=M gaps=G reset=0|1 max_stall_ms=S" to OUT, where
    max_stall_ms is the longest time between two echoes while sending (how
    long TCP was stalled by a failover). Exit status 0 only when the session
    ended cleanly with every line echoed in order.
"""

import os
import select
import socket
import sys
import time

PERIOD = 0.02


def _write(path, text):
    with open(path + '.tmp', 'w') as f:
        f.write(text + '\n')
    os.rename(path + '.tmp', path)


class Lines(object):
    """Counts lines as they come: gaps/duplicates against a counter."""

    def __init__(self):
        self.buf = b''
        self.n = 0
        self.gaps = 0
        self.last = 0

    def feed(self, data):
        self.buf += data
        out = []
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            try:
                v = int(line)
            except ValueError:
                v = -1
            if v != self.last + 1:
                self.gaps += 1
            self.last = v
            self.n += 1
            out.append(line + b'\n')
        return out


def server(port, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(1)
    conn, _ = ls.accept()
    got = Lines()
    reset = 0
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(b''.join(got.feed(data)))
    except OSError:
        reset = 1
    conn.close()
    _write(out, 'lines=%d gaps=%d reset=%d' % (got.n, got.gaps, reset))
    return 0 if not reset and not got.gaps else 1


def client(addr, port, out, stop):
    s = socket.create_connection((addr, port), timeout=10)
    s.setblocking(False)
    echo = Lines()
    sent = 0
    reset = 0
    stall = 0.0
    last_echo = time.monotonic()
    next_send = time.monotonic()
    closing = None
    try:
        while True:
            now = time.monotonic()
            if closing is None and os.path.exists(stop):
                s.shutdown(socket.SHUT_WR)
                closing = now
            if closing is not None and (echo.n >= sent or now - closing > 10):
                break
            if closing is None and now >= next_send:
                sent += 1
                s.sendall(b'%d\n' % sent)  # (tiny: fits the send buffer)
                next_send += PERIOD
            r, _, _ = select.select([s], [], [], PERIOD / 2)
            if r:
                data = s.recv(65536)
                if not data:
                    reset = int(closing is None)  # the peer ended it early
                    break
                echo.feed(data)
                t = time.monotonic()
                if closing is None:
                    stall = max(stall, t - last_echo)
                last_echo = t
    except OSError:
        reset = 1
    s.close()
    _write(out, 'sent=%d echoed=%d gaps=%d reset=%d max_stall_ms=%d'
           % (sent, echo.n, echo.gaps, reset, int(stall * 1000)))
    ok = not reset and not echo.gaps and echo.n == sent and sent > 0
    return 0 if ok else 1


def main(argv):
    if len(argv) == 4 and argv[1] == 'server':
        return server(int(argv[2]), argv[3])
    if len(argv) == 6 and argv[1] == 'client':
        return client(argv[2], int(argv[3]), argv[4], argv[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
