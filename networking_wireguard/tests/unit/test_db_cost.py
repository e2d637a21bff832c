"""What the driver's tables cost Neutron's port requests (SQL statements
counted inside a real ML2 plugin on SQLite): a bulk create or a delete of
spokes must not add per-port work that grows with the hub."""

import contextlib

from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
import sqlalchemy as sa

from networking_wireguard.db import api as db
from networking_wireguard.tests.unit import test_mech_driver as base


@contextlib.contextmanager
def statements(into):
    engine = db_api.get_context_manager().writer.get_engine()

    def seen(conn, cursor, statement, params, context, executemany):
        into.append(' '.join(statement.split()))
    sa.event.listen(engine, 'before_cursor_execute', seen)
    try:
        yield into
    finally:
        sa.event.remove(engine, 'before_cursor_execute', seen)


class TestSpokeDeleteCost(base.WireGuardDriverTestCase):

    def test_spoke_delete_does_not_bump_the_dying_port(self):
        # the port and its row go in one transaction: an ORM delete of the
        # row would first bump the port's revision (a flush that loads the
        # whole Port with its eager relationships)
        base.wg_agent(base.HOST)
        hub = self.hub()
        spoke = self.spoke([hub['id']])
        with statements([]) as sql:
            self._delete('ports', spoke['id'])
        bumps = [s for s in sql if s.startswith('UPDATE standardattributes')]
        self.assertEqual([], bumps)
        ctx = n_context.get_admin_context()
        self.assertIsNone(db.get_row(ctx.session, spoke['id']))
        self.assertEqual({}, dict(db.spoke_ids_of_hubs(ctx.session,
                                                       [hub['id']])))
        # the hub's side still works: deleting it drops its row too
        self._delete('ports', hub['id'])
        self.assertIsNone(db.get_row(ctx.session, hub['id']))
