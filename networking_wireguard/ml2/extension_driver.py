"""ML2 extension driver ``wireguard``: the read-only ``wireguard`` port
attribute ({role, public_key, endpoint, listen_port, peers}), for bound and
unbound WireGuard ports alike; null for every other port."""

from neutron.api import extensions as n_extensions
from neutron_lib.plugins.ml2 import api
from oslo_log import log as logging

from networking_wireguard.api.definitions import wireguard as apidef
from networking_wireguard.db import api as db
from networking_wireguard import extensions
from networking_wireguard import payloads

LOG = logging.getLogger(__name__)


class WireGuardExtensionDriver(api.ExtensionDriver):

    _supported_extension_alias = apidef.ALIAS

    def initialize(self):
        # Let neutron's extension manager find networking_wireguard/extensions
        n_extensions.append_api_extensions_path(list(extensions.__path__))
        LOG.info("WireGuard extension driver initialized")

    @property
    def extension_alias(self):
        return self._supported_extension_alias

    def extend_port_dict(self, session, db_data, result):
        # The row comes with the port (models.WireGuardPort.port): no query
        # for an ordinary port, whose row is None.
        row = db.row_of_port(session, db_data)
        result[apidef.WIREGUARD] = payloads.wireguard_attr(
            session, row, db_data['network_id'])
