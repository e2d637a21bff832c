"""A fake neutron-wireguard-agent control socket for unit tests.

Serves JSON lines on a unix socket from a thread; `handler(method, args)`
returns a result or raises FakeError(message).
"""
import json
import os
import socket
import tempfile
import threading


class FakeError(Exception):
    pass


class FakeAgent(object):

    def __init__(self, handler):
        self.handler = handler
        self.calls = []
        self.dir = tempfile.mkdtemp(prefix='nwg-l3-ut-')
        self.path = os.path.join(self.dir, 'agent.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                buf = b''
                while b'\n' not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                if not buf:
                    continue
                req = json.loads(buf.split(b'\n', 1)[0])
                self.calls.append((req['method'], req.get('args') or {}))
                try:
                    rep = {'ok': True,
                           'result': self.handler(req['method'],
                                                  req.get('args') or {})}
                except FakeError as e:
                    rep = {'ok': False, 'error': str(e)}
                conn.sendall(json.dumps(rep).encode() + b'\n')

    def methods(self):
        return [m for m, _a in self.calls]

    def close(self):
        self._stop = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(2)
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass
