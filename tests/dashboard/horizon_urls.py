# SPDX-License-Identifier: Apache-2.0
"""Horizon's URLs plus static files (Debian's compressed STATIC_ROOT and the
panel's own files), so the suite needs no web server besides Django's."""

import os

from django.conf import settings
from django.urls import re_path
from django.views.static import serve
from openstack_dashboard import urls

import networking_wireguard.dashboard as _wg

_WG_STATIC = os.path.join(os.path.dirname(_wg.__file__), 'static', 'wireguard')

urlpatterns = [
    re_path(r'^static/wireguard/(?P<path>.*)$', serve,
            {'document_root': _WG_STATIC}),
    re_path(r'^static/(?P<path>.*)$', serve,
            {'document_root': settings.STATIC_ROOT}),
] + list(urls.urlpatterns)
