"""networking-wireguard contract branch start

Revision ID: 9a2c5e1f7b30
Revises: start_networking_wireguard
Create Date: 2026-11-26
"""

from neutron.db import migration
from neutron.db.migration import cli

revision = '9a2c5e1f7b30'
down_revision = 'start_networking_wireguard'
branch_labels = (cli.CONTRACT_BRANCH,)
neutron_milestone = [migration.ZED]


def upgrade():
    pass
