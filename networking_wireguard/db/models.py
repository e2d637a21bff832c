"""Driver-owned tables (alembic branch: networking-wireguard)."""

from neutron.db import models_v2
from neutron_lib.db import model_base
import sqlalchemy as sa
from sqlalchemy import orm

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
    # indexed: the per-hub key clash check of every spoke (db/api.py
    # spokes_with_key) looks a key up
    public_key = sa.Column(sa.String(44), nullable=True, index=True)
    listen_port = sa.Column(sa.Integer, nullable=True)
    endpoint = sa.Column(sa.String(255), nullable=True)
    interface = sa.Column(sa.String(15), nullable=True)
    namespace = sa.Column(sa.String(255), nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    mtu = sa.Column(sa.Integer, nullable=True)
    persistent_keepalive = sa.Column(sa.Integer, nullable=True)

    # Port.wireguard_port is loaded with the port, in the query Neutron
    # already makes (a LEFT OUTER JOIN, as Neutron's own port security and
    # DNS extensions do): the `wireguard` attribute of an ordinary port
    # costs no query. Read-only on both sides: rows are written and
    # deleted by db/api.py only (which expires the port's copy), the
    # foreign key cascades a port's deletion.
    # revises_on_change: a change of this row bumps the port's
    # revision_number (Neutron's revision plugin follows `port`).
    port = orm.relationship(models_v2.Port,
                            load_on_pending=True, viewonly=True,
                            backref=orm.backref('wireguard_port',
                                                lazy='joined',
                                                uselist=False,
                                                viewonly=True))
    revises_on_change = ('port', )


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


class WireGuardHaHost(model_base.BASEV2):
    """One row per network node of a highly available hub (doc/ha.md):
    the two hosts of binding:profile.wireguard_ha, mirrored when the hub
    is validated, so that get_hubs finds the hubs a secondary serves.

    state:    the HA state this host's agent last reported
              (active/standby/fault), None before its first report.
    envelope: for the secondary, the hub's private key SEALED to this
              host's enrollment public key by the primary's agent
              (ciphertext only: neither Neutron nor anyone but this
              host's agent can open it), None until reported.
    """
    __tablename__ = 'wireguard_ha_hosts'

    port_id = sa.Column(sa.String(36),
                        sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        primary_key=True)
    host = sa.Column(sa.String(255), primary_key=True, index=True)
    state = sa.Column(sa.String(16), nullable=True)
    envelope = sa.Column(sa.String(255), nullable=True)
