"""networking-wireguard inside neutron-l3-agent (issue #10).

A hub port added to a Neutron router becomes that router's interface: the
WireGuard link realized by neutron-wireguard-agent is moved into
``qrouter-<router_id>`` as ``qr-<port_id[:11]>``. The L3 agent side is thin
and never runs ``ip``/``wg``: it asks neutron-wireguard-agent over its
control socket (doc/contracts.md).

* :mod:`.extension` -- L3 agent extension ``wireguard``: registers
  :class:`.router.WireGuardLegacyRouter` for legacy routers and retries hubs
  that were not realized yet when their router saw them.
* :mod:`.router` -- the router class: hub ports -> ``attach``/``detach``,
  every other port -> Neutron's code unchanged.
* :mod:`.interface` -- interface drivers wrapping Neutron's: ``unplug()`` of
  a hub link (the L3 agent's clean-up paths that bypass the router class)
  becomes a ``detach``; nothing in the L3 agent deletes a hub.
* :mod:`.ctl` -- the control socket client.
"""
