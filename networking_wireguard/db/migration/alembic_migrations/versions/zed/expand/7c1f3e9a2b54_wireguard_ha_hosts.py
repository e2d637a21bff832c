"""wireguard_ha_hosts (highly available hubs)

Revision ID: 7c1f3e9a2b54
Revises: 4d8e0b3a6c21
Create Date: 2026-12-04
"""

from alembic import op
from neutron.db import migration
import sqlalchemy as sa

revision = '7c1f3e9a2b54'
down_revision = '4d8e0b3a6c21'
neutron_milestone = [migration.ZED]


def upgrade():
    op.create_table(
        'wireguard_ha_hosts',
        sa.Column('port_id', sa.String(36),
                  sa.ForeignKey('ports.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('host', sa.String(255), primary_key=True, index=True),
        sa.Column('state', sa.String(16), nullable=True),
        sa.Column('envelope', sa.String(255), nullable=True),
    )
