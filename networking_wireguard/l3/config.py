"""Options read by the L3 agent side of networking-wireguard.

``[wireguard] control_socket`` is the agent's option (the same ini file can
be given to both agents); ``[wireguard_l3]`` holds what only the L3 agent
reads.
"""
from oslo_config import cfg

AGENT_GROUP = 'wireguard'
L3_GROUP = 'wireguard_l3'
DEFAULT_SOCKET = '/run/neutron-wireguard/agent.sock'

l3_opts = [
    cfg.FloatOpt('control_timeout', default=10.0, min=0.1,
                 help='Seconds to wait for neutron-wireguard-agent to '
                      'answer one control socket request.'),
    cfg.FloatOpt('pending_interval', default=2.0, min=0.2,
                 help='Seconds between retries of hubs that a router '
                      'carries but that are not attached yet (not realized '
                      'yet by neutron-wireguard-agent, or it was down).'),
]


def _control_socket_opt():
    return cfg.StrOpt('control_socket', default=DEFAULT_SOCKET,
                      help='Control socket of neutron-wireguard-agent.')


def register_opts(conf=cfg.CONF):
    conf.register_opts(l3_opts, group=L3_GROUP)
    try:
        # The driver package declares the agent's [wireguard] options.
        from networking_wireguard import conf as nwg_conf
        nwg_conf.register_agent_opts(conf)
    except (ImportError, AttributeError):
        conf.register_opt(_control_socket_opt(), group=AGENT_GROUP)


def control_socket(conf=cfg.CONF):
    try:
        return conf[AGENT_GROUP].control_socket
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return DEFAULT_SOCKET


def list_opts():
    return [(L3_GROUP, l3_opts)]
