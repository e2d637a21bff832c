# SPDX-License-Identifier: Apache-2.0
"""Django settings of the dashboard suite's Horizon (Debian's
openstack-dashboard as installed, plus our panel, on loopback).

Env: NWG_DASH_KEYSTONE (the stand-in's identity URL), NWG_DASH_SRC (repo).
Nothing is written under /etc or /usr: the panel's enabled file is loaded
from networking_wireguard/dashboard/enabled/ the way Horizon loads its own.
"""

import os

from openstack_dashboard.settings import *  # noqa: F401,F403
from openstack_dashboard.settings import HORIZON_CONFIG
from openstack_dashboard.settings import INSTALLED_APPS
from openstack_dashboard.utils import settings as _su

from networking_wireguard.dashboard import enabled as _wg_enabled

OPENSTACK_KEYSTONE_URL = os.environ['NWG_DASH_KEYSTONE']
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
ROOT_URLCONF = 'horizon_urls'
DEBUG = False
SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECRET_KEY = os.environ.get('NWG_DASH_SECRET', 'x' * 50)
OPENSTACK_NEUTRON_NETWORK = {'enable_router': True}

# Our enabled file on top of what Horizon already loaded from its own
# directories (it adds no JS/SCSS, so Debian's offline-compressed assets
# still match).
_wg_config = {}
_apps = []
_su.update_dashboards([_wg_enabled], _wg_config, _apps)
HORIZON_CONFIG['panel_customization'] = \
    list(HORIZON_CONFIG.get('panel_customization', [])) + \
    _wg_config['panel_customization']
HORIZON_CONFIG.setdefault('plugins', []).extend(_apps)
INSTALLED_APPS = _apps + list(INSTALLED_APPS)
