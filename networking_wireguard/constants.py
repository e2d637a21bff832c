"""Names shared with the agent, the CLI and existing clients.

See doc/contracts.md.
"""

MECH_DRIVER_NAME = 'wireguard'
EXT_DRIVER_NAME = 'wireguard'

# The agent (neutron-wireguard-agent, C)
AGENT_TYPE = 'WireGuard agent'
AGENT_BINARY = 'neutron-wireguard-agent'

# binding:vif_type of our bound ports
VIF_TYPE_WIREGUARD = 'wireguard'

# RPC: agent -> server
PLUGIN_TOPIC = 'q-wireguard-plugin'
PLUGIN_RPC_VERSION = '1.3'  # 1.1: get_hubs(page=...), 1.2: (digests=...)
# 1.3: get_hubs(deltas=[...]) (hub_delta.py)
# Casts: server -> agent (server = the hub's host)
AGENT_TOPIC = 'q-wireguard-agent'
AGENT_RPC_VERSION = '1.0'

# Roles
ROLE_HUB = 'hub'
ROLE_SPOKE = 'spoke'
ROLES = (ROLE_HUB, ROLE_SPOKE)
DEVICE_OWNER_PREFIX = 'channel:wireguard:'
DEVICE_OWNER_HUB = DEVICE_OWNER_PREFIX + ROLE_HUB
DEVICE_OWNER_SPOKE = DEVICE_OWNER_PREFIX + ROLE_SPOKE

# binding:profile keys
PROFILE_ROLE = 'wg_role'
PROFILE_PUBLIC_KEY = 'public_key'
PROFILE_ENDPOINT = 'endpoint'
PROFILE_PEERS = 'peers'
PROFILE_KEEPALIVE = 'persistent_keepalive'
PROFILE_ROOT_NAMESPACE = 'root_namespace'
# Admin-only: a highly available hub built on two network nodes (doc/ha.md)
PROFILE_HA = 'wireguard_ha'
HA_HOSTS = 'hosts'
HA_ROLE_PRIMARY = 'primary'
HA_ROLE_SECONDARY = 'secondary'
HA_STATES = ('active', 'standby', 'fault')
# The agent publishes its enrollment public key in its configurations
AGENT_ENROLL_PUB = 'enroll_pub'

HUB_PROFILE_KEYS = frozenset((PROFILE_ROLE, PROFILE_ROOT_NAMESPACE,
                              PROFILE_PUBLIC_KEY, PROFILE_ENDPOINT,
                              PROFILE_HA))
SPOKE_PROFILE_KEYS = frozenset((PROFILE_ROLE, PROFILE_PUBLIC_KEY,
                                PROFILE_ENDPOINT, PROFILE_PEERS,
                                PROFILE_KEEPALIVE))

# binding:vif_details keys of a realized hub
HUB_DETAILS = ('public_key', 'listen_port', 'endpoint', 'interface',
               'namespace', 'mtu')
SPOKE_DETAILS_PEERS = 'peers'

# The read-only port attribute added by the extension driver
WIREGUARD_ATTR = 'wireguard'

# The service plugin that serves PLUGIN_TOPIC ([DEFAULT] service_plugins)
SERVICE_PLUGIN_NAME = 'wireguard'
