"""Client-side helpers shared by the ``openstack`` CLI plugin and the
dashboard panel. Pure Python, no Neutron server imports: they run on a
user's machine."""
