"""Running next to ML2/OVN (doc/ovn.md).

Neutron's ``ovn`` mechanism driver filters the API extensions of the whole
ML2 plugin down to its own list (``supported_extensions`` returns
``ML2_SUPPORTED_API_EXTENSIONS & extensions``), which would hide the
``wireguard`` port attribute that device configs are rendered from. There
is no public hook for this: we add our alias to that list, once, when the
``ovn`` driver is configured. Neutron internal used:
``neutron.common.ovn.extensions.ML2_SUPPORTED_API_EXTENSIONS``.
"""

from oslo_config import cfg
from oslo_log import log as logging

from networking_wireguard.api.definitions import wireguard as wg_def

LOG = logging.getLogger(__name__)


def ovn_configured():
    return 'ovn' in (cfg.CONF.ml2.mechanism_drivers or [])


def keep_wireguard_extension():
    """Lets the ``wireguard`` API extension through ML2/OVN's filter."""
    if not ovn_configured():
        return False
    try:
        from neutron.common.ovn import extensions as ovn_ext
    except ImportError:  # a Neutron without ML2/OVN
        return False
    if wg_def.ALIAS not in ovn_ext.ML2_SUPPORTED_API_EXTENSIONS:
        ovn_ext.ML2_SUPPORTED_API_EXTENSIONS.append(wg_def.ALIAS)
        LOG.info("ML2/OVN: API extension '%s' added to the extensions the "
                 "ovn mechanism driver supports", wg_def.ALIAS)
    return True
