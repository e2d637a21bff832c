# SPDX-License-Identifier: Apache-2.0
"""The "WireGuard devices" panel of the OpenStack dashboard (Horizon).

Enabled by copying enabled/_1495_project_wireguard_panel.py into Horizon's
openstack_dashboard/local/enabled/ (doc/dashboard.md). Device key pairs are
generated in the browser (static/wireguard/js/wireguard.js): the server side
only ever sees public keys.
"""
