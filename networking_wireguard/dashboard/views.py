# SPDX-License-Identifier: Apache-2.0
"""Views of the WireGuard panel: the page, and small JSON endpoints the
page's script calls (add a device with a browser-made public key, a
device's config, delete, admins: add a hub)."""

import json
import logging

from django import http
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views import generic
from neutronclient.common import exceptions as n_exc
from openstack_dashboard.api import neutron as os_neutron

from networking_wireguard.client import config
from networking_wireguard.dashboard import api

LOG = logging.getLogger(__name__)
MAX_BODY = 4096


def _is_admin(request):
    return bool(getattr(request.user, 'is_superuser', False))


def _status_text(port):
    # The agent reports a spoke bound to its host ACTIVE while the device's
    # latest handshake is younger than handshake_stale (180 s), DOWN after
    # that; Neutron keeps no handshake time, so this is what can be said.
    if port.get('status') == 'ACTIVE':
        return 'less than 3 minutes ago'
    return 'not in the last 3 minutes, or not reported (since %s)' % (
        port.get('updated_at') or '?')


def _hub_row(p):
    wg = p.get('wireguard') or {}
    return {'id': p['id'], 'name': p.get('name') or p['id'][:8],
            'network_id': p.get('network_id'),
            'addresses': ', '.join(ip['ip_address']
                                   for ip in p.get('fixed_ips', [])),
            'endpoint': wg.get('endpoint') or '',
            'public_key': wg.get('public_key') or '',
            'realized': api.hub_realized(p), 'status': p.get('status'),
            'devices': len(wg.get('peers') or [])}


def _device_row(p, hub_names):
    wg = p.get('wireguard') or {}
    prof = p.get('binding:profile') or {}
    hubs = [h.get('port_id') for h in wg.get('peers') or []] or \
        prof.get('peers') or []
    return {'id': p['id'], 'name': p.get('name') or p['id'][:8],
            'addresses': ', '.join(ip['ip_address']
                                   for ip in p.get('fixed_ips', [])),
            'hubs': ', '.join(hub_names.get(h, h) for h in hubs),
            'public_key': wg.get('public_key') or '',
            'status': p.get('status'), 'handshake': _status_text(p)}


class IndexView(generic.TemplateView):
    template_name = 'wireguard/index.html'
    page_title = _("WireGuard devices")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx['page_title'] = self.page_title
        req = self.request
        ctx['error'] = None
        try:
            hubs = api.list_hubs(req)
            devices = api.list_devices(req)
        except Exception as e:
            LOG.warning('WireGuard panel: listing ports failed: %s', e)
            hubs, devices = [], []
            ctx['error'] = 'Unable to list WireGuard ports: %s' % e
        names = {h['id']: h.get('name') or h['id'][:8] for h in hubs}
        ctx['hubs'] = [_hub_row(h) for h in hubs]
        ctx['devices'] = [_device_row(d, names) for d in devices]
        ctx['realized_hubs'] = [h for h in ctx['hubs'] if h['realized']]
        ctx['is_admin'] = _is_admin(req)
        ctx['networks'] = []
        if ctx['is_admin']:
            try:
                ctx['networks'] = os_neutron.network_list(
                    req, tenant_id=req.user.project_id)
            except Exception as e:
                LOG.warning('WireGuard panel: listing networks: %s', e)
        return ctx


def _json(code, **kw):
    return http.JsonResponse(kw, status=code)


def _body(request):
    if len(request.body) > MAX_BODY:
        raise api.Refused('request too large')
    try:
        d = json.loads(request.body or b'{}')
    except ValueError:
        raise api.Refused('malformed JSON')
    if not isinstance(d, dict):
        raise api.Refused('expected a JSON object')
    return d


def _call(fn):
    """Runs fn() -> JsonResponse; turns errors into JSON messages."""
    try:
        return fn()
    except api.Refused as e:
        return _json(400, error=str(e))
    except config.ConfigError as e:
        return _json(409, error=str(e))
    except n_exc.NotFound:
        return _json(404, error='no such port in this project')
    except n_exc.Forbidden as e:
        return _json(403, error='Neutron refused (policy): %s' % e)
    except n_exc.NeutronClientException as e:
        code = getattr(e, 'status_code', 500) or 500
        return _json(code if 400 <= code < 600 else 500,
                     error='Neutron: %s' % e)


@require_POST
def add_device(request):
    def run():
        d = _body(request)
        port, text = api.create_device(request, d.get('name'),
                                       d.get('hub_id'), d.get('public_key'),
                                       d.get('keepalive'),
                                       bind_host=_is_admin(request))
        LOG.info('WireGuard panel: device %s (%s) added by %s', port['id'],
                 port.get('name'), request.user.id)
        return _json(201, id=port['id'], name=port.get('name'), config=text,
                     placeholder=config.KEY_PLACEHOLDER)
    return _call(run)


def device_config(request, port_id):
    return _call(lambda: _json(200, config=api.device_config(request, port_id),
                               placeholder=config.KEY_PLACEHOLDER))


@require_POST
def delete_device(request, port_id):
    def run():
        api.delete_device(request, port_id)
        LOG.info('WireGuard panel: device %s deleted by %s', port_id,
                 request.user.id)
        return _json(200, deleted=port_id)
    return _call(run)


@require_POST
def add_hub(request):
    def run():
        if not _is_admin(request):
            return _json(403, error='only admins create hubs')
        d = _body(request)
        port = api.create_hub(request, d.get('name'), d.get('network_id'),
                              d.get('host'))
        return _json(201, id=port['id'], name=port.get('name'))
    return _call(run)
