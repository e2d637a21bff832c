from neutron_lib.api import extensions

from networking_wireguard.api.definitions import wireguard as apidef


class Wireguard(extensions.APIExtensionDescriptor):
    """The read-only ``wireguard`` port attribute."""

    api_definition = apidef
