"""Driver-owned tables (alembic branch: networking-wireguard)."""

from neutron_lib.db import model_base
import sqlalchemy as sa

from networking_wireguard import constants as c


class WireGuardPort(model_base.BASEV2):
    """One row per WireGuard port: its role, which survives every rebind
    and `router add port` (device_owner and host get rewritten).

    hub:   public_key, listen_port, endpoint, interface, namespace, mtu,
           as last reported by the agent (hub_realized), and the host it
           was bound to then.
    spoke: public_key, endpoint, persistent_keepalive copied from its
           binding:profile when it is validated.
    """
    __tablename__ = 'wireguard_ports'

    port_id = sa.Column(sa.String(36),
                        sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        primary_key=True)
    role = sa.Column(sa.Enum(*c.ROLES, name='wireguard_roles'),
                     nullable=False)
    public_key = sa.Column(sa.String(44), nullable=True)
    listen_port = sa.Column(sa.Integer, nullable=True)
    endpoint = sa.Column(sa.String(255), nullable=True)
    interface = sa.Column(sa.String(15), nullable=True)
    namespace = sa.Column(sa.String(255), nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    mtu = sa.Column(sa.Integer, nullable=True)
    persistent_keepalive = sa.Column(sa.Integer, nullable=True)


class WireGuardPeer(model_base.BASEV2):
    """spoke -> hub (mirror of the spoke's binding:profile.peers), so that
    the spokes of a hub are found without parsing every profile."""
    __tablename__ = 'wireguard_peers'

    spoke_port_id = sa.Column(sa.String(36),
                              sa.ForeignKey('ports.id', ondelete='CASCADE'),
                              primary_key=True)
    hub_port_id = sa.Column(sa.String(36),
                            sa.ForeignKey('ports.id', ondelete='CASCADE'),
                            primary_key=True, index=True)
