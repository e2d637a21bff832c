# SPDX-License-Identifier: Apache-2.0
# Copy (or link) into openstack_dashboard/local/enabled/ to show the
# "WireGuard devices" panel in the project's Network section.
PANEL = 'wireguard'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'network'
ADD_PANEL = 'networking_wireguard.dashboard.panel.WireGuard'
ADD_INSTALLED_APPS = ['networking_wireguard.dashboard']
