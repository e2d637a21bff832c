# SPDX-License-Identifier: Apache-2.0
"""OpenStackClient plugin hooks for `openstack wireguard ...`.

The commands talk to Neutron through the session openstackclient already
has (the SDK's network proxy: same auth, endpoint and TLS settings as
`openstack port ...`); there is no separate service or API."""

DEFAULT_API_VERSION = '2'
API_VERSION_OPTION = 'os_wireguard_api_version'
API_NAME = 'wireguard'
API_VERSIONS = {'2': 'networking_wireguard.osc.v2.api.WireGuardApi'}


def make_client(instance):
    from networking_wireguard.osc.v2 import api
    return api.WireGuardApi(instance.network)


def build_option_parser(parser):
    return parser
