"""wireguard_ports and wireguard_peers

Revision ID: 4d8e0b3a6c21
Revises: start_networking_wireguard
Create Date: 2026-11-26
"""

from alembic import op
from neutron.db import migration
from neutron.db.migration import cli
import sqlalchemy as sa

revision = '4d8e0b3a6c21'
down_revision = 'start_networking_wireguard'
branch_labels = (cli.EXPAND_BRANCH,)
neutron_milestone = [migration.ZED]


def upgrade():
    op.create_table(
        'wireguard_ports',
        sa.Column('port_id', sa.String(36),
                  sa.ForeignKey('ports.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('role', sa.Enum('hub', 'spoke', name='wireguard_roles'),
                  nullable=False),
        sa.Column('public_key', sa.String(44), nullable=True),
        sa.Column('listen_port', sa.Integer, nullable=True),
        sa.Column('endpoint', sa.String(255), nullable=True),
        sa.Column('interface', sa.String(15), nullable=True),
        sa.Column('namespace', sa.String(255), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('mtu', sa.Integer, nullable=True),
        sa.Column('persistent_keepalive', sa.Integer, nullable=True),
    )
    op.create_table(
        'wireguard_peers',
        sa.Column('spoke_port_id', sa.String(36),
                  sa.ForeignKey('ports.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('hub_port_id', sa.String(36),
                  sa.ForeignKey('ports.id', ondelete='CASCADE'),
                  primary_key=True, index=True),
    )
