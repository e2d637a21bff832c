#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`neutron-wireguard render FILE [--private-key-file F] [--mtu N]` in
Python (networking_wireguard.client.config), for the golden-file check:
same stdout, same "neutron-wireguard render: MESSAGE" on stderr, exit 1."""
import argparse
import sys

from networking_wireguard.client import config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('input')
    ap.add_argument('--private-key-file')
    ap.add_argument('--mtu', type=int)
    a = ap.parse_args()
    try:
        with open(a.input) as f:
            port = f.read()
        key = None
        if a.private_key_file:
            key = config.read_private_key(a.private_key_file)
        sys.stdout.write(config.render(port, private_key=key, mtu=a.mtu,
                                       key_name=a.private_key_file))
    except (config.ConfigError, OSError) as e:
        sys.stderr.write('neutron-wireguard render: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
