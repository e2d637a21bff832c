"""networking-wireguard: WireGuard tunnels as first-class Neutron ports.

Only the neutron-server side lives in Python: the ML2 mechanism driver
(validation, binding, RPC endpoint, agent notifications), the ML2
extension driver (the read-only ``wireguard`` port attribute) and the
driver's database migrations. See doc/contracts.md.
"""
