"""Control-socket probe: a `status` request every INTERVAL ms for SECONDS.

Usage: ctl_probe.py SOCKET SECONDS [INTERVAL_MS]
Prints "probe n=<requests> failed=<no answer or not ok> max_ms=<slowest>
p50_ms=<median>"; exits 0. Each request is a fresh connection (as the CLI
and the L3 agent do); a request with no answer in 30 s counts as failed.
"""
import json
import socket
import statistics
import sys
import time


def ask(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(path)
        s.sendall(b'{"method": "status", "args": {}}\n')
        buf = b''
        while not buf.endswith(b'\n'):
            chunk = s.recv(65536)
            if not chunk:
                return False
            buf += chunk
        return json.loads(buf).get('ok') is True
    except (OSError, ValueError):
        return False
    finally:
        s.close()


def main():
    path, seconds = sys.argv[1], float(sys.argv[2])
    interval = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.05
    lat, failed, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        if not ask(path):
            failed += 1
        lat.append((time.monotonic() - t0) * 1000)
        time.sleep(max(0, interval - (time.monotonic() - t0)))
    print("probe n=%d failed=%d max_ms=%.1f p50_ms=%.1f" % (
        len(lat), failed, max(lat) if lat else 0,
        statistics.median(lat) if lat else 0))


if __name__ == '__main__':
    main()
