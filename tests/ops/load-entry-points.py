"""Loads every networking-wireguard entry point from a scratch install root.

Usage: python3 -S load-entry-points.py ROOT. sys.path becomes ROOT + each entry
of Debian's /usr/bin/python3 sys.path that is a site directory, followed by the
real ones (for Neutron itself); every entry point must load, from ROOT.
Prints only problems.
"""
import importlib
import importlib.metadata
import os
import site
import sys

root = sys.argv[1].rstrip('/')
site.main()
real = [p for p in sys.path if p]
scratch = [root + p for p in real if p.endswith('-packages')]
sys.path[:] = scratch + real

WANT = {
    'neutron.ml2.mechanism_drivers': ['wireguard'],
    'neutron.ml2.extension_drivers': ['wireguard'],
    'neutron.service_plugins': ['wireguard'],
    'neutron.agent.l3.extensions': ['wireguard'],
    'neutron.interface_drivers': ['wireguard_openvswitch',
                                  'wireguard_linuxbridge'],
    'neutron.db.alembic_migrations': ['networking-wireguard'],
    'oslo.config.opts': ['networking_wireguard', 'networking_wireguard.l3'],
}
dist = importlib.metadata.distribution('networking-wireguard')
if not str(dist.locate_file('')).startswith(root + '/'):
    sys.exit('distribution found outside %s: %s'
             % (root, dist.locate_file('')))
eps = dist.entry_points
bad = 0
for group, names in WANT.items():
    for name in names:
        found = [e for e in eps if e.group == group and e.name == name]
        if not found:
            print('missing entry point %s:%s' % (group, name))
            bad += 1
            continue
        ep = found[0]
        if group == 'neutron.db.alembic_migrations':
            # neutron-db-manage reads it as "package:resource directory".
            mod = importlib.import_module(ep.module)
            obj = os.path.join(os.path.dirname(mod.__file__), ep.attr)
            if not os.path.isfile(os.path.join(obj, 'env.py')):
                print('no alembic env.py in %s' % obj)
                bad += 1
        else:
            obj = ep.load()
            mod = sys.modules[ep.module]
        if not mod.__file__.startswith(root + '/'):
            print('%s loaded from %s, not %s' % (name, mod.__file__, root))
            bad += 1
sys.exit(1 if bad else 0)
