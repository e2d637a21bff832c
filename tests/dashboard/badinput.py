#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Bad input to the panel's endpoints, as a logged-in member (no browser:
plain HTTP with Horizon's session and CSRF token). Prints TAP-like lines.

    badinput.py URL USER PASSWORD HUB_ID SPOKE_ID
"""

import re
import sys

import requests

KEY = 'A' * 43 + '='


def login(url, user, password):
    s = requests.Session()
    r = s.get(url + '/auth/login/', timeout=60)
    tok = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    r = s.post(url + '/auth/login/', timeout=120, data={
        'csrfmiddlewaretoken': tok.group(1), 'username': user,
        'password': password, 'region': 'default'},
        headers={'Referer': url + '/auth/login/'})
    return s


def main(url, user, password, hub, spoke):
    s = login(url, user, password)
    base = url + '/project/wireguard/'
    page = s.get(base, timeout=60).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not csrf:
        print('not ok panel page after log-in (no CSRF token)')
        return 1
    h = {'X-CSRFToken': csrf.group(1), 'Referer': base}
    n_before = page.count('<tr data-id=')
    fails = 0

    def expect(desc, r, code, text):
        nonlocal fails
        body = r.text
        good = r.status_code == code and text in body
        print('%s %s (HTTP %d%s)' % ('ok' if good else 'not ok', desc,
                                     r.status_code,
                                     '' if good else ': ' + body[:200]))
        fails += 0 if good else 1

    dev = base + 'devices/'
    expect('bad public key refused with a message',
           s.post(dev, json={'name': 'x', 'hub_id': hub, 'public_key': 'abc'},
                  headers=h), 400, 'not a WireGuard key')
    expect('unknown hub refused',
           s.post(dev, json={'name': 'x', 'hub_id': spoke, 'public_key': KEY},
                  headers=h), 400, 'not a WireGuard hub of this project')
    expect('bad keepalive refused',
           s.post(dev, json={'name': 'x', 'hub_id': hub, 'public_key': KEY,
                             'keepalive': 'often'}, headers=h),
           400, 'keepalive must be')
    expect('empty name refused',
           s.post(dev, json={'name': ' ', 'hub_id': hub, 'public_key': KEY},
                  headers=h), 400, 'give the device a name')
    expect('malformed JSON refused',
           s.post(dev, data='{', headers=dict(h, **{
               'Content-Type': 'application/json'})), 400, 'malformed JSON')
    expect('POST without the CSRF token refused',
           s.post(dev, json={'name': 'x', 'hub_id': hub, 'public_key': KEY},
                  headers={'Referer': base}), 403, '')
    expect('member cannot add a hub',
           s.post(base + 'hubs/', json={'name': 'h', 'network_id': 'x',
                                        'host': 'y'}, headers=h),
           403, 'only admins create hubs')
    expect('config of a hub refused (not a device)',
           s.get(base + 'devices/%s/config/' % hub), 400,
           'is not a WireGuard device')
    expect('delete of a hub refused (not a device)',
           s.post(base + 'devices/%s/delete/' % hub, headers=h), 400,
           'not deleted')
    expect('config of an existing device (placeholder for the key)',
           s.get(base + 'devices/%s/config/' % spoke), 200,
           'REPLACE_WITH_THE_DEVICE_PRIVATE_KEY')
    expect('config of an unknown port: 404',
           s.get(base + 'devices/%s/config/' % ('0' * 32)), 404,
           'no such port')
    n_after = s.get(base, timeout=60).text.count('<tr data-id=')
    good = n_after == n_before
    print('%s refused requests created nothing (%d rows before, %d after)'
          % ('ok' if good else 'not ok', n_before, n_after))
    return 0 if good and not fails else 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:6]))
