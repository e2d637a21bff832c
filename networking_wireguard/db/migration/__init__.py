"""Database migrations of networking-wireguard (its own alembic branch).

    neutron-db-manage --subproject networking-wireguard upgrade head
"""
