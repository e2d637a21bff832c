#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A tiny Keystone stand-in and Neutron front for loopback tests.

The harness's neutron-server in NEUTRON_AUTH=headers mode trusts the
X-User-Id / X-Project-Id / X-Roles headers (Keystone's context middleware
without token validation). This process is the only thing that talks to it:

* /identity/v3 answers Keystone's version discovery and POST /auth/tokens
  (password method, project scope) for the users in a JSON file, with a
  catalog whose "network" endpoint is this proxy;
* every other path is forwarded to neutron-server with the identity of the
  request's X-Auth-Token (identity headers sent by the client are dropped);
  no or an unknown token is a 401, as with keystonemiddleware.

So the real `openstack` CLI (keystoneauth password plugin, openstacksdk)
runs unchanged and Neutron's real policy engine sees real projects and
roles. Loopback only; tokens live in memory. Not a product component.

Usage: authproxy.py --listen PORT --neutron URL --users users.json
users.json: {"users": [{"name": "alice", "password": "pw", "project": "p1",
             "roles": ["member"]}, ...]}  (ids are derived from the names)
"""

import argparse
import datetime
import hashlib
import http.client
import http.server
import json
import secrets
import sys
import threading
import urllib.parse

IDENTITY = '/identity'
DROP = ('x-user-id', 'x-user-name', 'x-project-id', 'x-project-name',
        'x-tenant-id', 'x-tenant-name', 'x-roles', 'x-identity-status',
        'x-domain-id', 'x-user-domain-id', 'x-project-domain-id',
        'x-service-catalog', 'x-auth-token', 'x-is-admin-project')
HOP = ('connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade',
       'proxy-connection', 'host', 'content-length')


def uid(kind, name):
    return hashlib.sha256(('%s:%s' % (kind, name)).encode()).hexdigest()[:32]


class State(object):
    def __init__(self, users, neutron, base):
        self.users = {u['name']: u for u in users}
        self.neutron = urllib.parse.urlsplit(neutron)
        self.base = base
        self.tokens = {}
        self.lock = threading.Lock()


def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%S.000000Z')


def token_body(st, user):
    now = datetime.datetime.utcnow()
    dom = {'id': 'default', 'name': 'Default'}
    ep = {'id': uid('ep', 'network'), 'interface': 'public',
          'region': 'RegionOne', 'region_id': 'RegionOne', 'url': st.base}
    catalog = [{'id': uid('svc', 'network'), 'type': 'network',
                'name': 'neutron',
                'endpoints': [ep, dict(ep, interface='internal'),
                              dict(ep, interface='admin')]}]
    return {'token': {
        'methods': ['password'],
        'user': {'id': uid('user', user['name']), 'name': user['name'],
                 'domain': dom, 'password_expires_at': None},
        'project': {'id': uid('project', user['project']),
                    'name': user['project'], 'domain': dom},
        'roles': [{'id': uid('role', r), 'name': r} for r in user['roles']],
        'catalog': catalog, 'is_domain': False,
        'issued_at': iso(now),
        'expires_at': iso(now + datetime.timedelta(hours=2)),
        'audit_ids': [secrets.token_hex(8)]}}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    st = None

    def log_message(self, fmt, *args):
        sys.stderr.write('authproxy: %s %s\n'
                         % (self.address_string(), fmt % args))

    def reply(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def version(self):
        return {'id': 'v3.14', 'status': 'stable',
                'updated': '2020-04-07T00:00:00Z',
                'links': [{'rel': 'self',
                           'href': self.st.base + IDENTITY[1:] + '/v3/'}],
                'media-types': [{'base': 'application/json',
                                 'type': 'application/'
                                         'vnd.openstack.identity-v3+json'}]}

    def identity(self, method, path):
        path = path.rstrip('/')
        if method == 'GET' and path == IDENTITY:
            return self.reply(300, {'versions': {'values': [self.version()]}})
        if method == 'GET' and path == IDENTITY + '/v3':
            return self.reply(200, {'version': self.version()})
        if method == 'POST' and path == IDENTITY + '/v3/auth/tokens':
            return self.issue()
        return self.reply(404, {'error': {'code': 404, 'title': 'Not Found',
                                          'message': 'not in this stand-in'}})

    def issue(self):
        def refuse(msg):
            return self.reply(401, {'error': {'code': 401,
                                              'title': 'Unauthorized',
                                              'message': msg}})
        try:
            auth = json.loads(self.body())['auth']
            pw = auth['identity']['password']['user']
            user = self.st.users.get(pw.get('name'))
        except (ValueError, KeyError, TypeError):
            return self.reply(400, {'error': {'code': 400,
                                              'message': 'bad auth body'}})
        if not user or not secrets.compare_digest(
                str(pw.get('password', '')), user['password']):
            return refuse('The request you have made requires authentication.')
        scope = (auth.get('scope') or {}).get('project') or {}
        if scope.get('name', user['project']) != user['project'] or \
                scope.get('id', uid('project', user['project'])) != \
                uid('project', user['project']):
            return refuse('user %s has no role on that project' % user['name'])
        tok = secrets.token_urlsafe(24)
        with self.st.lock:
            self.st.tokens[tok] = user
        return self.reply(201, token_body(self.st, user),
                          {'X-Subject-Token': tok})

    def forward(self, method, path):
        with self.st.lock:
            user = self.st.tokens.get(self.headers.get('X-Auth-Token', ''))
        data = self.body()
        is_api = path.startswith('/v2.0')
        if is_api and not user:
            return self.reply(401, {'error': {
                'code': 401, 'title': 'Unauthorized',
                'message': 'The request you have made requires '
                           'authentication.'}})
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in DROP and k.lower() not in HOP}
        hdrs['Host'] = self.headers.get('Host', '')
        if user:
            hdrs.update({
                'X-Identity-Status': 'Confirmed',
                'X-User-Id': uid('user', user['name']),
                'X-User-Name': user['name'],
                'X-Project-Id': uid('project', user['project']),
                'X-Project-Name': user['project'],
                'X-Tenant-Id': uid('project', user['project']),
                'X-Roles': ','.join(user['roles']),
                'X-User-Domain-Id': 'default',
                'X-Project-Domain-Id': 'default'})
        if data:
            hdrs['Content-Length'] = str(len(data))
        n = self.st.neutron
        conn = http.client.HTTPConnection(n.hostname, n.port, timeout=120)
        try:
            conn.request(method, path, body=data or None, headers=hdrs)
            resp = conn.getresponse()
            out = resp.read()
        except OSError as e:
            return self.reply(502, {'error': {'code': 502,
                                              'message': 'neutron: %s' % e}})
        finally:
            conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def handle_any(self):
        path = self.path
        if path == IDENTITY or path.startswith(IDENTITY + '/'):
            return self.identity(self.command,
                                 urllib.parse.urlsplit(path).path)
        return self.forward(self.command, path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--listen', type=int, required=True)
    ap.add_argument('--neutron', required=True)
    ap.add_argument('--users', required=True)
    a = ap.parse_args()
    with open(a.users) as f:
        users = json.load(f)['users']
    base = 'http://127.0.0.1:%d/' % a.listen
    Handler.st = State(users, a.neutron, base)
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', a.listen), Handler)
    srv.daemon_threads = True
    sys.stderr.write('authproxy: listening on %s (neutron %s)\n'
                     % (base, a.neutron))
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == '__main__':
    main()
