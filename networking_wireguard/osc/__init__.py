"""`openstack wireguard ...`: the OpenStack CLI plugin (python-openstackclient
entry points ``openstack.cli.extension`` and ``openstack.wireguard.v2``)."""
