#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent: installs only what is missing. Usage: install-deps.sh [build|pkg|ovs|ovn|dash|onb|ha|all]
set -euo pipefail

BUILD_PKGS="build-essential pkg-config libmnl-dev libsodium-dev librabbitmq-dev
  libjansson-dev libinih-dev libcmocka-dev libqrencode-dev libseccomp-dev clang clang-format
  libclang-rt-14-dev libcurl4-openssl-dev shellcheck"
RUN_PKGS="wireguard-go wireguard-tools iproute2 iputils-ping procps curl bc jq socat
  qemu-system-x86 busybox-static kmod cpio neutron-l3-agent neutron-linuxbridge-agent"
NEUTRON_PKGS="neutron-server rabbitmq-server mariadb-server python3-openstackclient
  python3-neutronclient python3-pip python3-setuptools python3-oslotest
  python3-pytest python3-stestr python3-ddt"
# dash: the dashboard panel's suite (Horizon, a headless browser, QR reader)
DASH_PKGS="openstack-dashboard chromium chromium-driver python3-selenium zbar-tools
  python3-requests"
# Packaging (make deb, lintian) and Python lint (flake8 + hacking, tox.ini).
PKG_PKGS="debhelper dh-python python3-all lintian fakeroot dpkg-dev flake8 python3-hacking"
# onb: the openstack CLI plugin (QR codes, key generation) and its tests (zbarimg)
ONB_PKGS="python3-openstackclient python3-qrcode python3-cryptography zbar-tools"
# ovn: Open vSwitch + OVN on the userspace datapath (make check-ovn)
OVN_PKGS="openvswitch-switch ovn-central ovn-host ethtool"
# check-multinode / check-ovs: Open vSwitch (userspace datapath), ethtool (veth tx off)
OVS_PKGS="openvswitch-switch ethtool"
# ha: check-ha / bench-ha (VRRPv3 between two simulated nodes)
HA_PKGS="keepalived wireguard-go wireguard-tools iputils-ping socat iptables python3"

want="$BUILD_PKGS"
case "${1:-all}" in
  build) ;;
  pkg) want="$want $PKG_PKGS" ;;
  ovs) want="$want $OVS_PKGS" ;;
  ovn) want="$want $OVN_PKGS" ;;
  dash) want="$want $DASH_PKGS" ;;
  onb) want="$want $ONB_PKGS" ;;
  ha) want="$want $HA_PKGS" ;;
  all) want="$want $RUN_PKGS $NEUTRON_PKGS $PKG_PKGS $OVS_PKGS $OVN_PKGS $DASH_PKGS $ONB_PKGS $HA_PKGS" ;;
  *) echo "usage: $0 [build|pkg|ovs|ovn|dash|onb|ha|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages:$missing (run as root to install)" >&2
  exit 1
fi
echo "install-deps: installing:$missing"
# No init system here: keep maintainer scripts from starting daemons, but only
# if we are the ones creating policy-rc.d.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
trap '[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
echo "install-deps: done in $(($(date +%s) - t0)) s"
