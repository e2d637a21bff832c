"""Configuration options of networking-wireguard.

Two groups:

* ``[ml2_wireguard]``: read by the mechanism driver inside neutron-server
  (registered on import of this module by the driver).
* ``[wireguard]``: read by neutron-wireguard-agent (C) from the same ini
  files. They are declared here so that oslo-config-generator documents
  them (entry point ``oslo.config.opts: networking_wireguard``) and so
  that Python tools can register them with ``register_agent_opts()``;
  neutron-server itself never reads them.
"""

from oslo_config import cfg

DRIVER_GROUP = 'ml2_wireguard'
AGENT_GROUP = 'wireguard'

driver_opts = [
    cfg.ListOpt('extra_profile_keys',
                default=['migrating_to', 'allocation'],
                help='binding:profile keys, besides the WireGuard ones, that '
                     'are tolerated on WireGuard ports because Neutron or '
                     'Nova write them. Any other key is rejected with 400.'),
    cfg.IntOpt('max_spoke_peers', default=16, min=1, max=256,
               help='Largest number of hubs a spoke may list in '
                    'binding:profile.peers.'),
    cfg.BoolOpt('write_hub_profile', default=True,
                help='Once a hub is realized, also write its public_key and '
                     'endpoint into its binding:profile (existing clients '
                     'read them there).'),
    cfg.BoolOpt('hub_status_check', default=True,
                help='neutron-server sets a hub port DOWN while the '
                     'WireGuard agent of its binding host is dead, and '
                     'ACTIVE again when that agent is back (the '
                     '"wireguard" service plugin runs the check).'),
    cfg.IntOpt('hub_status_interval', default=0, min=0,
               help='Seconds between two hub status checks; 0: half of '
                    '[DEFAULT] agent_down_time, like Neutron\'s own agent '
                    'status checks.'),
]

agent_opts = [
    cfg.StrOpt('WG_HUB_IP',
               help='Public address of this node used in hub endpoints '
                    '(WG_HUB_IP:listen_port).'),
    cfg.StrOpt('listen_port_range', default='51820:52820',
               help='Range of UDP listen ports for hubs, "first:last".'),
    cfg.StrOpt('backend', default='auto',
               choices=['auto', 'kernel', 'userspace'],
               help='WireGuard backend: kernel module, wireguard-go, or '
                    'auto (kernel when it works).'),
    cfg.StrOpt('state_path', default='/var/lib/neutron/wireguard',
               help='Channel repository: one file per hub.'),
    cfg.StrOpt('namespace_prefix', default='tun-',
               help='Prefix of the per-project hub namespaces.'),
    cfg.BoolOpt('root_namespace', default=False,
                help='Keep every hub in the root namespace.'),
    cfg.BoolOpt('hub_up_unrouted', default=False,
                help='Address hubs and bring them up in their project '
                     'namespace even when not attached to a router.'),
    cfg.IntOpt('underlay_mtu', default=1500, min=1280,
               help='MTU of the underlay; a hub MTU is capped at this '
                    'value minus 80.'),
    cfg.ListOpt('ignored_devices', default=[],
                help='Interfaces the agent never touches.'),
    cfg.BoolOpt('dry_run', default=False,
                help='Plan but do not change the system.'),
    cfg.StrOpt('control_socket',
               default='/run/neutron-wireguard/agent.sock',
               help='Local control socket (L3 extension, CLI).'),
]


def register_driver_opts(conf=cfg.CONF):
    conf.register_opts(driver_opts, group=DRIVER_GROUP)


def register_agent_opts(conf=cfg.CONF):
    conf.register_opts(agent_opts, group=AGENT_GROUP)


def list_opts():
    """oslo-config-generator entry point."""
    return [(DRIVER_GROUP, driver_opts), (AGENT_GROUP, agent_opts)]


register_driver_opts()
