# SPDX-License-Identifier: Apache-2.0
from django.utils.translation import gettext_lazy as _
import horizon


class WireGuard(horizon.Panel):
    name = _("WireGuard devices")
    slug = 'wireguard'
    permissions = ('openstack.services.network',)
