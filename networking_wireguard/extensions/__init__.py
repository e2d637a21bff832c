"""API extensions of networking-wireguard.

The ML2 extension driver appends this directory to api_extensions_path,
so neutron-server finds them without any configuration.
"""
