"""API definition of the ``wireguard`` extension (neutron-lib style).

Adds one read-only attribute to ports: ``wireguard`` = null for ordinary
ports, else {role, public_key, endpoint, listen_port, peers}.
"""

from neutron_lib.api.definitions import port as port_def
from neutron_lib.api.definitions import portbindings

ALIAS = 'wireguard'
IS_SHIM_EXTENSION = False
IS_STANDARD_ATTR_EXTENSION = False
NAME = 'WireGuard ports'
DESCRIPTION = ('Read-only WireGuard data of hub and spoke ports: role, '
               'public key, endpoint, listen port and peers')
UPDATED_TIMESTAMP = '2026-11-26T00:00:00-00:00'
API_PREFIX = ''
WIREGUARD = 'wireguard'

RESOURCE_ATTRIBUTE_MAP = {
    port_def.COLLECTION_NAME: {
        WIREGUARD: {'allow_post': False, 'allow_put': False,
                    'default': None, 'is_visible': True,
                    'is_filter': False},
    },
}
SUB_RESOURCE_ATTRIBUTE_MAP = {}
ACTION_MAP = {}
ACTION_STATUS = {}
REQUIRED_EXTENSIONS = [portbindings.ALIAS]
OPTIONAL_EXTENSIONS = []
