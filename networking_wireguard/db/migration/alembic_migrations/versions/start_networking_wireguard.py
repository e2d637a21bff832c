"""start networking-wireguard chain

Revision ID: start_networking_wireguard
Revises: None
Create Date: 2026-11-26
"""

revision = 'start_networking_wireguard'
down_revision = None


def upgrade():
    pass
