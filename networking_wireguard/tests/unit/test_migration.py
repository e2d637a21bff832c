"""The alembic chain of networking-wireguard and what it builds.

Every expand revision is run, in chain order, on an empty SQLite database
(with a minimal `ports` table for the foreign keys); the tables and indexes
it leaves must be those the models declare, so a model change without its
migration (or a migration without its model change) fails here.
"""

import os

from alembic import migration as alembic_migration
from alembic import operations
from alembic import script as alembic_script
from neutron.tests import base
import sqlalchemy as sa

from networking_wireguard.db import migration as wg_migration
from networking_wireguard.db import models

_ROOT = os.path.join(os.path.dirname(wg_migration.__file__),
                     'alembic_migrations')
_VERSIONS = os.path.join(_ROOT, 'versions')
_TABLES = (models.WireGuardPort.__table__, models.WireGuardPeer.__table__,
           models.WireGuardHaHost.__table__)


def _head(name):
    with open(os.path.join(_VERSIONS, name)) as f:
        return f.read().strip()


def _indexes(inspector, table):
    return {ix['name']: tuple(ix['column_names'])
            for ix in inspector.get_indexes(table)}


class TestMigrationChain(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.scripts = alembic_script.ScriptDirectory(
            _ROOT, version_locations=[
                os.path.join(_VERSIONS, 'zed', 'expand'),
                os.path.join(_VERSIONS, 'zed', 'contract'), _VERSIONS])

    def expand_chain(self):
        """Expand revisions from the first to EXPAND_HEAD."""
        chain, rev = [], self.scripts.get_revision(_head('EXPAND_HEAD'))
        while rev.revision != 'start_networking_wireguard':
            chain.append(rev)
            rev = self.scripts.get_revision(rev.down_revision)
        return list(reversed(chain))

    def test_heads_are_the_files_heads(self):
        heads = set(self.scripts.get_heads())
        self.assertEqual({_head('EXPAND_HEAD'), _head('CONTRACT_HEAD')},
                         heads)

    def test_expand_chain_builds_the_models_tables_and_indexes(self):
        engine = sa.create_engine('sqlite://')
        with engine.begin() as conn:
            sa.Table('ports', sa.MetaData(),
                     sa.Column('id', sa.String(36),
                               primary_key=True)).create(conn)
            ops = operations.Operations(
                alembic_migration.MigrationContext.configure(conn))
            with operations.Operations.context(ops.migration_context):
                for rev in self.expand_chain():
                    rev.module.upgrade()
            inspector = sa.inspect(conn)
            for table in _TABLES:
                self.assertEqual(
                    sorted(c.name for c in table.columns),
                    sorted(c['name'] for c in
                           inspector.get_columns(table.name)), table.name)
                want = {ix.name: tuple(c.name for c in ix.columns)
                        for ix in table.indexes}
                self.assertEqual(want, _indexes(inspector, table.name),
                                 table.name)

    def test_public_key_is_indexed(self):
        # the spoke key clash check (db/api.py spokes_with_key) looks a
        # key up for every spoke created: model and migration both index it
        self.assertTrue(models.WireGuardPort.__table__.c.public_key.index)
        self.assertIn(
            ('ix_wireguard_ports_public_key', ('public_key',)),
            {(ix.name, tuple(c.name for c in ix.columns))
             for ix in models.WireGuardPort.__table__.indexes})
