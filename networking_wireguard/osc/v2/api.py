# SPDX-License-Identifier: Apache-2.0
"""Neutron calls for the WireGuard commands, with errors a user can act on.

Only public Neutron API: ports (binding:profile, the read-only ``wireguard``
attribute of the extension driver), networks, routers."""

import urllib.parse

from osc_lib import exceptions

HUB, SPOKE = 'hub', 'spoke'


class ApiError(exceptions.CommandError):
    def __init__(self, msg, status=None):
        super(ApiError, self).__init__(msg)
        self.status = status


def _neutron_message(resp):
    try:
        body = resp.json()
    except ValueError:
        return resp.text.strip()[:300]
    err = body.get('NeutronError') if isinstance(body, dict) else None
    if isinstance(err, dict):
        return err.get('message') or err.get('type') or str(err)
    if isinstance(body, dict) and isinstance(body.get('error'), dict):
        return body['error'].get('message', '')
    return str(body)[:300]


class WireGuardApi(object):
    def __init__(self, network):
        self.net = network

    # ---------------------------------------------------------------- http
    def call(self, method, path, body=None, what='request'):
        kw = {'raise_exc': False}
        if body is not None:
            kw['json'] = body
        resp = self.net.request(path, method, **kw)
        if resp.status_code < 400:
            return resp.json() if resp.content else None
        msg = _neutron_message(resp)
        if resp.status_code == 401:
            raise ApiError('%s: not authenticated (%s): check your '
                           'credentials (OS_* variables / clouds.yaml)'
                           % (what, msg), 401)
        if resp.status_code == 403:
            raise ApiError(
                '%s: Neutron\'s policy forbids this for your user (%s). Ask '
                'your cloud admin: WireGuard devices need '
                'create_port:binding:profile for project members, hubs need '
                'an admin (binding:host_id)' % (what, msg), 403)
        raise ApiError('%s: %s (HTTP %d)' % (what, msg, resp.status_code),
                       resp.status_code)

    # ---------------------------------------------------------- resources
    def find(self, kind, ref, what):
        """A network/port/router by id or unique name visible to the user."""
        plural = kind + 's'
        try:
            return self.call('GET', '/%s/%s' % (plural, ref), what=what)[kind]
        except ApiError as e:
            if e.status != 404:
                raise
        found = self.call('GET', '/%s?name=%s'
                          % (plural, urllib.parse.quote(ref, safe='')),
                          what=what)[plural]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ApiError('%s: more than one %s is named %r: use its ID'
                           % (what, kind, ref))
        return None

    def ports(self, **filters):
        q = urllib.parse.urlencode(sorted(filters.items()))
        return self.call('GET', '/ports' + ('?' + q if q else ''),
                         what='listing ports')['ports']

    def get_port(self, port_id):
        return self.call('GET', '/ports/%s' % port_id,
                         what='reading port %s' % port_id)['port']

    def create_port(self, body, what):
        return self.call('POST', '/ports', {'port': body}, what=what)['port']

    def delete_port(self, port_id, what):
        self.call('DELETE', '/ports/%s' % port_id, what=what)


def role(port):
    wg = port.get('wireguard')
    if isinstance(wg, dict) and wg.get('role') in (HUB, SPOKE):
        return wg['role']
    prof = port.get('binding:profile')
    if isinstance(prof, dict) and prof.get('wg_role') in (HUB, SPOKE):
        return prof['wg_role']
    owner = port.get('device_owner') or ''
    if owner.startswith('channel:wireguard:'):
        return owner[len('channel:wireguard:'):]
    return None


def find_wg_port(api, ref, want, what):
    """A hub or device by id or name; clear errors for the wrong thing."""
    port = api.find('port', ref, what)
    noun = 'hub' if want == HUB else 'device'
    if port is None:
        raise ApiError(
            '%s: no WireGuard %s %r in your project (ports of other projects '
            'are not visible; list them with `openstack wireguard %s list`)'
            % (what, noun, ref, noun))
    r = role(port)
    if r != want:
        kind = 'a WireGuard %s' % r if r else 'not a WireGuard port'
        raise ApiError('%s: port %s (%s) is %s, not a WireGuard %s'
                       % (what, port['id'], port.get('name') or '-', kind,
                          noun))
    return port
