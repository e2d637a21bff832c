#!/usr/bin/python3
"""Test-only stand-in for neutron-wireguard-agent, over oslo.messaging.

  fake_agent.py --url URL run --host H [--host H2] --events FILE
      heartbeat (report_state, agent_type "WireGuard agent", binary
      neutron-wireguard-agent) for each host every few seconds, and serve
      topic q-wireguard-agent (server = each host): every hubs_changed is
      appended to FILE as one JSON line {"host", "port_ids"}. Runs until
      SIGTERM/SIGINT.
  fake_agent.py --url URL call METHOD '{"kwarg": ...}'
      call METHOD on q-wireguard-plugin (v1.0); print the JSON result.

Pitfalls handled (notes/neutron-on-debian.md §11): exchange 'neutron',
the global cfg.CONF, and transport.cleanup() + os._exit() at the end.
"""

import argparse
import datetime
import json
import os
import signal
import sys
import threading
import uuid

from oslo_config import cfg
import oslo_messaging as om

AGENT_TYPE = 'WireGuard agent'
BINARY = 'neutron-wireguard-agent'


def transport_for(url):
    om.set_transport_defaults(control_exchange='neutron')
    cfg.CONF([], project='nwg-fake-agent')
    return om.get_rpc_transport(cfg.CONF, url=url)


def _client(transport, target, timeout):
    if hasattr(om, 'get_rpc_client'):
        return om.get_rpc_client(transport, target, timeout=timeout)
    return om.RPCClient(transport, target, timeout=timeout)


def report_state(transport, host, first, extra=None):
    client = _client(transport,
                     om.Target(topic='q-reports-plugin', version='1.2'),
                     timeout=30)
    state = {'binary': BINARY, 'host': host, 'topic': 'N/A',
             'agent_type': AGENT_TYPE, 'availability_zone': 'nova',
             'configurations': dict({'devices': 0, 'fake': True},
                                    **(extra or {})),
             'start_flag': first, 'uuid': str(uuid.uuid4())}
    now = datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%S.%f')
    kwargs = {'agent_state': {'agent_state': state}, 'time': now}
    if first:
        return client.call({}, 'report_state', **kwargs)
    client.cast({}, 'report_state', **kwargs)
    return None


class AgentEndpoint(object):
    target = om.Target(version='1.0')

    def __init__(self, host, events):
        self.host = host
        self.events = events
        self.lock = threading.Lock()

    def hubs_changed(self, ctxt, port_ids):
        with self.lock, open(self.events, 'a') as f:
            f.write(json.dumps({'host': self.host,
                                'port_ids': port_ids}) + '\n')


class FakeAgent(object):
    """Heartbeats for hosts and a hubs_changed listener per host; usable
    in-process (start/stop) or through the `run` command."""

    def __init__(self, transport, hosts, events, interval=5.0, conf=None):
        # conf: {host: extra configurations} (e.g. enroll_pub, doc/ha.md)
        self.conf = conf or {}
        self.transport = transport
        self.hosts = list(hosts)
        self.events = events
        self.interval = interval
        self._stop = threading.Event()
        self._servers = []
        self._thread = None

    def start(self):
        for host in self.hosts:
            target = om.Target(topic='q-wireguard-agent', server=host)
            server = om.get_rpc_server(self.transport, target,
                                       [AgentEndpoint(host, self.events)],
                                       executor='threading')
            server.start()
            self._servers.append(server)
        for host in self.hosts:
            report_state(self.transport, host, True, self.conf.get(host))
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def _beat(self):
        while not self._stop.wait(self.interval):
            for host in self.hosts:
                try:
                    report_state(self.transport, host, False,
                                 self.conf.get(host))
                except Exception as e:      # keep beating
                    print('report_state failed: %s' % e, flush=True)

    def stop(self):
        self._stop.set()
        for server in self._servers:
            server.stop()
            server.wait()
        self._servers = []


def run(transport, hosts, events, interval):
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent = FakeAgent(transport, hosts, events, interval)
    agent.start()
    print('fake agent up for %s' % ', '.join(hosts), flush=True)
    while not stop.wait(1.0):
        pass
    agent.stop()


def call_plugin(transport, method, **kwargs):
    client = _client(transport,
                     om.Target(topic='q-wireguard-plugin', version='1.0'),
                     timeout=30)
    return client.call({}, method, **kwargs)


def call(transport, method, kwargs):
    print(json.dumps(call_plugin(transport, method, **kwargs),
                     sort_keys=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--url', required=True)
    sub = parser.add_subparsers(dest='cmd', required=True)
    p_run = sub.add_parser('run')
    p_run.add_argument('--host', action='append', required=True)
    p_run.add_argument('--events', required=True)
    p_run.add_argument('--interval', type=float, default=5.0)
    p_call = sub.add_parser('call')
    p_call.add_argument('method')
    p_call.add_argument('kwargs', nargs='?', default='{}')
    args = parser.parse_args()
    transport = transport_for(args.url)
    rc = 0
    try:
        if args.cmd == 'run':
            run(transport, args.host, args.events, args.interval)
        else:
            call(transport, args.method, json.loads(args.kwargs))
    except Exception as e:
        print('fake_agent: %s: %s' % (type(e).__name__, e), file=sys.stderr)
        rc = 1
    sys.stdout.flush()
    transport.cleanup()
    os._exit(rc)


if __name__ == '__main__':
    main()
