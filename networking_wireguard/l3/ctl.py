"""Client of neutron-wireguard-agent's control socket (doc/contracts.md).

One JSON object per line in, one per line out, on a unix stream socket.
Under the L3 agent (eventlet) the socket is green, so a slow agent does not
block other routers.
"""
import json
import socket

from oslo_log import log as logging

from networking_wireguard.l3 import config

LOG = logging.getLogger(__name__)

MAX_REPLY = 4 * 1024 * 1024


class ControlError(Exception):
    """The agent answered {"ok": false, "error": ...}."""

    def __init__(self, method, message):
        super().__init__('%s: %s' % (method, message))
        self.method = method
        self.message = message


class AgentUnreachable(Exception):
    """No agent listening, or it did not answer in time."""


class ControlClient(object):

    def __init__(self, path=None, timeout=None):
        self.path = path or config.control_socket()
        if timeout is None:
            try:
                from oslo_config import cfg
                timeout = cfg.CONF[config.L3_GROUP].control_timeout
            except Exception:
                timeout = 10.0
        self.timeout = timeout

    def call(self, method, **args):
        line = json.dumps({'method': method, 'args': args}) + '\n'
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            try:
                sock.connect(self.path)
                sock.sendall(line.encode())
                buf = b''
                while b'\n' not in buf:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    if len(buf) > MAX_REPLY:
                        raise AgentUnreachable('%s: reply too long' % method)
            except (OSError, socket.timeout) as e:
                raise AgentUnreachable('%s on %s: %s' % (method, self.path, e))
        finally:
            sock.close()
        if b'\n' not in buf:
            raise AgentUnreachable('%s on %s: connection closed without a '
                                   'reply' % (method, self.path))
        try:
            reply = json.loads(buf.split(b'\n', 1)[0])
        except ValueError:
            raise AgentUnreachable('%s: reply is not JSON' % method)
        if not isinstance(reply, dict):
            raise AgentUnreachable('%s: reply is not an object' % method)
        if not reply.get('ok'):
            raise ControlError(method, reply.get('error') or 'failed')
        return reply.get('result')

    # The methods of the L3 contract.
    def owns(self, port_id):
        return self.call('owns', port_id=port_id)

    def attach(self, port_id, namespace, ifname, cidrs, mtu):
        return self.call('attach', port_id=port_id, namespace=namespace,
                         ifname=ifname, cidrs=list(cidrs), mtu=mtu)

    def detach(self, port_id):
        return self.call('detach', port_id=port_id)
