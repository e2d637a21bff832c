"""index on wireguard_ports.public_key

The driver refuses a spoke whose public key another spoke of the same hub
already uses (WireGuard tells peers apart by key): that check runs for
every spoke created or re-keyed and, without an index, reads every row of
wireguard_ports.

Revision ID: 920d6c3fa5fd
Revises: 7c1f3e9a2b54
Create Date: 2026-12-05
"""

from alembic import op
from neutron.db import migration

revision = '920d6c3fa5fd'
down_revision = '7c1f3e9a2b54'
neutron_milestone = [migration.ZED]


def upgrade():
    # the name SQLAlchemy gives the model's index=True column
    op.create_index('ix_wireguard_ports_public_key', 'wireguard_ports',
                    ['public_key'])
