#!/usr/bin/python3
"""The real oslo.messaging (Zed, Debian) on the other side of nwg-msgtool.

  oslo_peer.py URL server TOPIC SERVER RECORD   RPC server until SIGTERM;
                                   casts to note() are appended to RECORD
  oslo_peer.py URL cast TOPIC METHOD ARGS [--server S] [--fanout]
  oslo_peer.py URL call TOPIC METHOD ARGS [--server S]
  oslo_peer.py URL raw EXCHANGE ROUTING_KEY BODY   publish bytes as-is (kombu)

Run with /usr/bin/python3. control_exchange is 'neutron' like neutron-server.
"""
import json
import os
import signal
import sys
import threading

from oslo_config import cfg
import oslo_messaging as messaging


class Endpoint(object):
    target = messaging.Target(version='1.0')

    def __init__(self, record):
        self.record = record

    def echo(self, context, **kwargs):
        return {'echo': kwargs, 'is_admin': context.get('is_admin')}

    def add(self, context, a, b):
        return a + b

    def fail(self, context, **kwargs):
        raise ValueError('boom: %s' % kwargs.get('why', 'no reason'))

    def note(self, context, **kwargs):
        with open(self.record, 'a') as f:
            f.write(json.dumps({'method': 'note', 'args': kwargs},
                               sort_keys=True) + '\n')


def transport(url):
    # pitfalls 11/12: neutron's exchange, global cfg.CONF
    messaging.set_transport_defaults(control_exchange='neutron')
    cfg.CONF([], project='nwg-oslo-peer')
    return messaging.get_rpc_transport(cfg.CONF, url=url)


def serve(url, topic, server, record):
    t = transport(url)
    target = messaging.Target(topic=topic, server=server)
    srv = messaging.get_rpc_server(t, target, [Endpoint(record)],
                                   executor='threading')
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    srv.start()
    print('ready', flush=True)
    stop.wait()
    os._exit(0)  # pitfall 13: do not wait for oslo's threads


def client(url, argv):
    t = transport(url)
    op, topic, method, args = argv[0], argv[1], argv[2], json.loads(argv[3])
    server = argv[argv.index('--server') + 1] if '--server' in argv else None
    fanout = '--fanout' in argv
    target = messaging.Target(topic=topic, server=server, fanout=fanout,
                              version='1.0')
    c = messaging.RPCClient(t, target, timeout=10)
    ctx = {'is_admin': True, 'request_id': 'req-oslo-peer'}
    if op == 'cast':
        c.cast(ctx, method, **args)
    else:
        print(json.dumps(c.call(ctx, method, **args), sort_keys=True))
    sys.stdout.flush()
    t.cleanup()
    os._exit(0)


def raw(url, exchange, rkey, body):
    import kombu
    with kombu.Connection(url.replace('rabbit://', 'amqp://')) as conn:
        producer = conn.Producer()
        producer.publish(body.encode(), exchange=exchange, routing_key=rkey,
                         content_type='application/json',
                         content_encoding='utf-8')
    os._exit(0)


def main():
    url, op = sys.argv[1], sys.argv[2]
    if op == 'server':
        serve(url, *sys.argv[3:6])
    elif op in ('cast', 'call'):
        client(url, sys.argv[2:])
    elif op == 'raw':
        raw(url, *sys.argv[3:6])
    else:
        sys.exit('unknown op %s' % op)


if __name__ == '__main__':
    main()
