#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tests/osc/authproxy.py plus what the dashboard's log-in needs.

Horizon (openstack_auth) logs in with an unscoped password token, lists the
user's projects (GET /v3/users/ID/projects), re-scopes with the token method
and needs an identity endpoint in the catalog. This adds exactly that to the
osc suite's Keystone stand-in and Neutron front (loopback tests only; not a
product component). Same command line as authproxy.py.
"""

import importlib.util
import json
import os
import secrets
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'authproxy', os.path.join(_HERE, '..', 'osc', 'authproxy.py'))
ap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ap)


def _token_body(st, user):
    body = ap.token_body(st, user)
    ep = {'id': ap.uid('ep', 'identity'), 'interface': 'public',
          'region': 'RegionOne', 'region_id': 'RegionOne',
          'url': st.base + 'identity/v3'}
    body['token']['catalog'].append({
        'id': ap.uid('svc', 'identity'), 'type': 'identity',
        'name': 'keystone',
        'endpoints': [ep, dict(ep, interface='internal'),
                      dict(ep, interface='admin')]})
    return body


class Handler(ap.Handler):
    _cached = None

    def body(self):
        if self._cached is None:
            self._cached = super().body()
        return self._cached

    def handle_any(self):
        self._cached = None     # one handler serves a keep-alive connection
        return super().handle_any()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any

    def _user(self):
        with self.st.lock:
            return self.st.tokens.get(self.headers.get('X-Auth-Token', ''))

    def identity(self, method, path):
        path = path.rstrip('/')
        v3 = ap.IDENTITY + '/v3'
        if method == 'POST' and path == v3 + '/auth/tokens':
            return self.issue()
        if method == 'GET' and path in (v3 + '/auth/tokens',):
            return self.validate()
        if method == 'GET' and (path == v3 + '/auth/projects' or (
                path.startswith(v3 + '/users/') and
                path.endswith('/projects'))):
            return self.projects()
        if method == 'GET' and path == v3 + '/auth/domains':
            return self.reply(200, {'domains': [], 'links': {}})
        return super().identity(method, path)

    def projects(self):
        user = self._user()
        if not user:
            return self.reply(401, {'error': {'code': 401,
                                              'message': 'no token'}})
        p = {'id': ap.uid('project', user['project']),
             'name': user['project'], 'domain_id': 'default',
             'enabled': True, 'is_domain': False, 'parent_id': 'default',
             'description': '', 'links': {}}
        return self.reply(200, {'projects': [p], 'links': {}})

    def validate(self):
        with self.st.lock:
            user = self.st.tokens.get(self.headers.get('X-Subject-Token', ''))
        if not user:
            return self.reply(404, {'error': {'code': 404,
                                              'message': 'no such token'}})
        return self.reply(200, _token_body(self.st, user))

    def issue(self):
        try:
            auth = json.loads(self.body())['auth']
            methods = auth['identity']['methods']
        except (ValueError, KeyError, TypeError):
            return self.reply(400, {'error': {'code': 400,
                                              'message': 'bad auth body'}})
        if 'token' in methods:
            with self.st.lock:
                user = self.st.tokens.get(
                    (auth['identity'].get('token') or {}).get('id', ''))
            if not user:
                return self.reply(401, {'error': {'code': 401,
                                                  'message': 'bad token'}})
            if 'domain' in (auth.get('scope') or {}):
                return self.reply(401, {'error': {
                    'code': 401, 'message': 'no domain roles here'}})
            scope = (auth.get('scope') or {}).get('project') or {}
            if scope.get('id', ap.uid('project', user['project'])) != \
                    ap.uid('project', user['project']):
                return self.reply(401, {'error': {
                    'code': 401, 'message': 'no role on that project'}})
        else:
            # password: the osc stand-in checks it (and issues the token);
            # it knows project scope or none ("unscoped" is none)
            if not isinstance(auth.get('scope'), dict):
                auth.pop('scope', None)
                self._cached = json.dumps({'auth': auth}).encode()
            self._orig_reply = self.reply
            got = {}

            def grab(code, body, headers=None):
                got.update(code=code, body=body, headers=headers or {})
            self.reply = grab
            try:
                super().issue()
            finally:
                self.reply = self._orig_reply
            if got.get('code') != 201:
                return self.reply(got['code'], got['body'], got['headers'])
            with self.st.lock:
                user = self.st.tokens[got['headers']['X-Subject-Token']]
        tok = secrets.token_urlsafe(24)
        with self.st.lock:
            self.st.tokens[tok] = user
        return self.reply(201, _token_body(self.st, user),
                          {'X-Subject-Token': tok})


def main():
    ap.Handler = Handler
    ap.main()


if __name__ == '__main__':
    sys.exit(main())
