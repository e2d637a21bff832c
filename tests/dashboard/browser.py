#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Drives the WireGuard panel in a real headless Chromium (selenium +
Debian's chromium-driver) for tests/dashboard/run.sh.

    browser.py URL OUTDIR STEP USER PASSWORD [ARGS...]
STEPs (each logs in first, prints one JSON line on success, exits 1 with a
message otherwise):
    add-hub NAME HOST            admin: the "Add hub" form
    add-device NAME HUB_NAME     the "Add device" form; saves the QR code
                                 (OUTDIR/qr.png), the page (OUTDIR/add.png)
                                 and the config text shown (OUTDIR/shown.conf);
                                 says whether the admin form was on the page
    list-delete NAME             the tables (OUTDIR/list.png), then the device
                                 row's Delete button
"""

import json
import os
import sys
import time

from selenium.common import exceptions as sel_exc
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.ui import WebDriverWait

PANEL = '/project/wireguard/'


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = '/usr/bin/chromium'
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu',
              '--disable-dev-shm-usage', '--window-size=1400,1100',
              '--no-first-run', '--disable-extensions'):
        o.add_argument(a)
    svc = Service(executable_path='/usr/bin/chromedriver')
    return webdriver.Chrome(options=o, service=svc)


def login(d, url, user, password):
    d.get(url + '/auth/login/')
    d.find_element(By.ID, 'id_username').send_keys(user)
    d.find_element(By.ID, 'id_password').send_keys(password)
    d.find_element(By.CSS_SELECTOR, 'form button[type=submit], '
                   '#loginBtn').click()
    WebDriverWait(d, 60).until(lambda x: '/auth/login' not in x.current_url)
    d.get(url + PANEL)
    WebDriverWait(d, 60).until(
        ec.presence_of_element_located((By.ID, 'wg-panel')))


def wait_error_or(d, cond, timeout=60):
    def f(x):
        e = x.find_element(By.ID, 'wg-error')
        if e.is_displayed() and e.text:
            raise RuntimeError('panel error: ' + e.text)
        return cond(x)
    return WebDriverWait(d, timeout, ignored_exceptions=(
        sel_exc.StaleElementReferenceException,)).until(f)


def unstale(fn, tries=20):
    """fn() again while the panel re-renders the element it holds (the
    tables refresh themselves, so a row found may be gone when read)."""
    for i in range(tries):
        try:
            return fn()
        except sel_exc.StaleElementReferenceException:
            if i == tries - 1:
                raise
            time.sleep(0.25)


def rows(d, table):
    return unstale(lambda: _rows(d, table))


def _rows(d, table):
    out = []
    for r in d.find_elements(By.CSS_SELECTOR, '#%s tbody tr[data-id]' % table):
        out.append([c.text for c in r.find_elements(By.TAG_NAME, 'td')] +
                   [r.get_attribute('data-id')])
    return out


def add_hub(d, url, out, name, host):
    f = d.find_element(By.ID, 'wg-hub-form')
    f.find_element(By.NAME, 'name').send_keys(name)
    f.find_element(By.NAME, 'host').send_keys(host)
    d.find_element(By.ID, 'wg-hub-submit').click()
    wait_error_or(d, lambda x: any(r[0] == name for r in rows(x, 'wg-hubs')))
    return {'hubs': rows(d, 'wg-hubs')}


def add_device(d, url, out, name, hub):
    hub_form = bool(d.find_elements(By.ID, 'wg-hub-form'))
    d.find_element(By.ID, 'wg-name').send_keys(name)
    Select(d.find_element(By.ID, 'wg-hub')).select_by_visible_text(hub)
    d.find_element(By.ID, 'wg-add-submit').click()
    wait_error_or(d, lambda x: x.find_element(By.ID, 'wg-result')
                  .is_displayed())
    img = d.find_element(By.ID, 'wg-qr-img')
    img.screenshot(os.path.join(out, 'qr.png'))
    d.save_screenshot(os.path.join(out, 'add.png'))
    text = d.find_element(By.ID, 'wg-config').text
    with open(os.path.join(out, 'shown.conf'), 'w') as f:
        f.write(text + '\n')
    dl = d.find_element(By.ID, 'wg-download')
    return {'id': d.find_element(By.ID, 'wg-result').get_attribute('data-id'),
            'download': dl.get_attribute('download'),
            'href': dl.get_attribute('href')[:5], 'hub_form': hub_form}


def click_delete(d, name):
    for r in d.find_elements(By.CSS_SELECTOR, '#wg-devices tbody tr[data-id]'):
        if r.get_attribute('data-name') == name:
            r.find_element(By.CLASS_NAME, 'wg-delete').click()
            return True
    return False


def list_delete(d, url, out, name):
    d.save_screenshot(os.path.join(out, 'list.png'))
    listed = {'hubs': rows(d, 'wg-hubs'), 'devices': rows(d, 'wg-devices')}
    if not unstale(lambda: click_delete(d, name)):
        raise RuntimeError('no device row named %s' % name)
    d.switch_to.alert.accept()
    time.sleep(0.5)
    wait_error_or(d, lambda x: x.find_elements(By.ID, 'wg-panel') and all(
        r[0] != name for r in rows(x, 'wg-devices')))
    return {'listed': listed, 'after_delete': rows(d, 'wg-devices')}


STEPS = {'add-hub': add_hub, 'add-device': add_device,
         'list-delete': list_delete}


def main(argv):
    url, out, step, user, password = argv[1:6]
    d = browser()
    try:
        login(d, url.rstrip('/'), user, password)
        res = STEPS[step](d, url, out, *argv[6:])
        print(json.dumps(res))
        return 0
    except (sel_exc.WebDriverException, RuntimeError) as e:
        try:
            d.save_screenshot(os.path.join(out, 'failed-%s.png' % step))
        except sel_exc.WebDriverException:
            pass
        print('browser: %s failed: %s' % (step, e), file=sys.stderr)
        return 1
    finally:
        d.quit()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
