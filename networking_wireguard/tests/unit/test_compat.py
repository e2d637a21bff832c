"""Every entry point loads on Neutron 2024.1-2025.2 (doc/compat.md).

The names Neutron removed after Zed are hidden, as on 2025.1+, and every
entry point of setup.cfg is loaded again from a fresh import of our
modules; the interface drivers are then constructed and used.
"""

import importlib
import sys
from unittest import mock

from neutron.agent.common import utils as agent_utils
from neutron.agent.linux import interface as n_interface
from neutron.conf.agent import common as agent_conf
from neutron.conf.plugins.ml2.drivers import ovs_conf
from neutron.tests import base
from oslo_config import cfg

try:
    from importlib import metadata as importlib_metadata
except ImportError:  # pragma: no cover
    import importlib_metadata

# (module, name) that Neutron removed between Zed and 2025.2 and that our
# code refers to. Keep in line with doc/compat.md.
REMOVED = [('neutron.agent.linux.interface', 'BridgeInterfaceDriver')]

GROUPS = ('neutron.ml2.mechanism_drivers', 'neutron.ml2.extension_drivers',
          'neutron.agent.l3.extensions', 'neutron.interface_drivers',
          'neutron.service_plugins', 'neutron.db.alembic_migrations',
          'oslo.config.opts')


def our_entry_points():
    eps = importlib_metadata.entry_points()
    result = []
    for group in GROUPS:
        selected = eps.select(group=group) if hasattr(eps, 'select') \
            else eps.get(group, [])
        result += [ep for ep in selected
                   if ep.value.startswith('networking_wireguard')]
    return result


class RemovedNamesHidden(object):
    """Context manager: the REMOVED names are absent and our modules are
    imported afresh; everything is put back on exit."""

    def __enter__(self):
        self._saved = {}
        for module, name in REMOVED:
            mod = importlib.import_module(module)
            if hasattr(mod, name):
                self._saved[(module, name)] = getattr(mod, name)
                delattr(mod, name)
        self._ours = self._drop_ours()
        return self

    @staticmethod
    def _drop_ours():
        ours = {k: v for k, v in sys.modules.items()
                if k.startswith('networking_wireguard.l3')}
        for k in ours:
            del sys.modules[k]
        return ours

    def __exit__(self, *exc):
        for (module, name), value in self._saved.items():
            setattr(importlib.import_module(module), name, value)
        self._drop_ours()
        sys.modules.update(self._ours)
        return False


class TestEntryPointsLoad(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        agent_conf.register_interface_driver_opts_helper(cfg.CONF)
        agent_conf.register_interface_opts(cfg.CONF)
        ovs_conf.register_ovs_agent_opts(cfg.CONF)

    def test_every_entry_point_is_declared(self):
        names = {(ep.group, ep.name) for ep in our_entry_points()}
        for wanted in (('neutron.ml2.mechanism_drivers', 'wireguard'),
                       ('neutron.ml2.extension_drivers', 'wireguard'),
                       ('neutron.agent.l3.extensions', 'wireguard'),
                       ('neutron.service_plugins', 'wireguard'),
                       ('neutron.interface_drivers', 'wireguard_openvswitch'),
                       ('neutron.interface_drivers',
                        'wireguard_linuxbridge')):
            self.assertIn(wanted, names)

    def test_all_load_with_removed_names_hidden(self):
        with RemovedNamesHidden():
            self.assertFalse(hasattr(n_interface, 'BridgeInterfaceDriver'))
            for ep in our_entry_points():
                with self.subTest(entry_point=ep.name, group=ep.group):
                    if ep.group == 'neutron.db.alembic_migrations':
                        # neutron-db-manage imports module:package
                        self.assertIsNotNone(importlib.import_module(
                            ep.value.replace(':', '.')))
                    else:
                        self.assertIsNotNone(ep.load())

    def test_openvswitch_driver_works_without_linuxbridge(self):
        with RemovedNamesHidden():
            cfg.CONF.set_override('interface_driver', 'wireguard_openvswitch')
            driver = agent_utils.load_interface_driver(cfg.CONF)
            self.assertIsInstance(driver, n_interface.OVSInterfaceDriver)
            mod = sys.modules['networking_wireguard.l3.interface']
            # an ordinary device: Neutron's own unplug runs
            with mock.patch.object(mod, 'hub_port_of', return_value=None), \
                    mock.patch.object(n_interface.OVSInterfaceDriver,
                                      'unplug') as unplug:
                driver.unplug('qr-1', bridge='br-int', namespace='ns')
            unplug.assert_called_once_with('qr-1', bridge='br-int',
                                           namespace='ns', prefix=None)
            # a hub: parked by the agent, never deleted
            with mock.patch.object(mod, 'hub_port_of',
                                   return_value='port-1'), \
                    mock.patch.object(mod.hubs, 'manager') as manager, \
                    mock.patch.object(n_interface.OVSInterfaceDriver,
                                      'unplug') as unplug:
                driver.unplug('qr-2', bridge='br-int', namespace='ns')
            self.assertFalse(unplug.called)
            manager.return_value.detach.assert_called_once_with(
                'port-1', mock.ANY)

    def test_linuxbridge_driver_fails_clearly_without_linuxbridge(self):
        with RemovedNamesHidden():
            cfg.CONF.set_override('interface_driver', 'wireguard_linuxbridge')
            # the L3 agent's loader: "Error loading interface driver", exit
            self.assertRaises(SystemExit, agent_utils.load_interface_driver,
                              cfg.CONF)
            mod = sys.modules['networking_wireguard.l3.interface']
            e = self.assertRaises(ImportError, mod.BridgeInterfaceDriver,
                                  cfg.CONF)
            self.assertIn('interface_driver = wireguard_openvswitch', str(e))

    def test_linuxbridge_driver_where_neutron_has_it(self):
        if not hasattr(n_interface, 'BridgeInterfaceDriver'):
            self.skipTest('this Neutron has no linuxbridge (2025.1+)')
        from networking_wireguard.l3 import interface
        self.assertTrue(issubclass(interface.BridgeInterfaceDriver,
                                   n_interface.BridgeInterfaceDriver))
