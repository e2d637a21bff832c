// SPDX-License-Identifier: Apache-2.0
// WireGuard devices panel. The device key pair is made here, with WebCrypto
// X25519: only the public key goes to the server; the private key is put
// into the config text in this page (shown, QR code, download) and nowhere
// else.
(function () {
  'use strict';
  var panel = document.getElementById('wg-panel');
  if (!panel) { return; }
  var base = panel.getAttribute('data-base');
  var csrf = panel.querySelector('input[name=csrfmiddlewaretoken]').value;
  var PKCS8_X25519_PREFIX = 16; // RFC 8410 PrivateKeyInfo header bytes

  function b64(buf) {
    var s = '', b = new Uint8Array(buf), i;
    for (i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return window.btoa(s);
  }

  function showError(msg) {
    var e = document.getElementById('wg-error');
    e.textContent = msg;
    e.style.display = msg ? '' : 'none';
  }

  function call(method, path, body) {
    return fetch(base + path, {
      method: method, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {error: 'HTTP ' + r.status}; })
        .then(function (d) {
          if (!r.ok) { throw new Error(d.error || ('HTTP ' + r.status)); }
          return d;
        });
    });
  }

  // -> {privateKey, publicKey} as WireGuard base64 strings
  function generateKeyPair() {
    if (!window.crypto || !window.crypto.subtle) {
      return Promise.reject(new Error('this browser has no WebCrypto (use HTTPS)'));
    }
    return window.crypto.subtle.generateKey({name: 'X25519'}, true, ['deriveBits'])
      .then(function (kp) {
        return Promise.all([
          window.crypto.subtle.exportKey('pkcs8', kp.privateKey),
          window.crypto.subtle.exportKey('raw', kp.publicKey)]);
      }).then(function (k) {
        var priv = new Uint8Array(k[0]).slice(PKCS8_X25519_PREFIX);
        if (priv.length !== 32 || k[1].byteLength !== 32) {
          throw new Error('unexpected X25519 key format');
        }
        return {privateKey: b64(priv), publicKey: b64(k[1])};
      }, function (e) {
        throw new Error('this browser cannot generate X25519 keys (' + e.message + ')');
      });
  }

  function showConfig(title, name, text, withQr) {
    document.getElementById('wg-result-title').textContent = title;
    document.getElementById('wg-config').textContent = text;
    var dl = document.getElementById('wg-download');
    dl.href = URL.createObjectURL(new Blob([text], {type: 'text/plain'}));
    dl.setAttribute('download', (name.replace(/[^A-Za-z0-9_=+.-]/g, '_').slice(0, 15) || 'wg0') + '.conf');
    var qrBox = document.getElementById('wg-qr');
    qrBox.innerHTML = '';
    if (withQr) {
      var qr = window.qrcode(0, 'M');
      qr.addData(text);
      qr.make();
      qrBox.innerHTML = qr.createImgTag(4, 16);
      qrBox.firstChild.id = 'wg-qr-img';
    }
    document.getElementById('wg-result').style.display = '';
  }

  var add = document.getElementById('wg-add-form');
  if (add) {
    add.addEventListener('submit', function (ev) {
      ev.preventDefault();
      showError('');
      var name = add.elements.name.value;
      var btn = document.getElementById('wg-add-submit');
      btn.disabled = true;
      generateKeyPair().then(function (kp) {
        return call('POST', 'devices/', {
          name: name, hub_id: add.elements.hub_id.value, public_key: kp.publicKey,
          keepalive: add.elements.keepalive.value
        }).then(function (d) {
          var text = d.config.replace('PrivateKey = ' + d.placeholder,
                                      'PrivateKey = ' + kp.privateKey);
          // the placeholder comment lines are for configs without a key
          text = text.replace(/^# PLACEHOLDER:.*\n^#.*--private-key-file FILE\.\n/m, '');
          showConfig('Device "' + d.name + '" (' + d.id + '): scan or download now; ' +
                     'the private key is not kept anywhere else.', d.name, text, true);
          document.getElementById('wg-result').setAttribute('data-id', d.id);
        });
      }).catch(function (e) { showError(e.message); })
        .then(function () { btn.disabled = false; });
    });
  }

  var hubForm = document.getElementById('wg-hub-form');
  if (hubForm) {
    hubForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      call('POST', 'hubs/', {name: hubForm.elements.name.value,
                             network_id: hubForm.elements.network_id.value,
                             host: hubForm.elements.host.value})
        .then(function () { window.location.reload(); })
        .catch(function (e) { showError(e.message); });
    });
  }

  document.getElementById('wg-devices').addEventListener('click', function (ev) {
    var t = ev.target, row = t.closest('tr');
    if (!row || !row.getAttribute('data-id')) { return; }
    var id = row.getAttribute('data-id'), name = row.getAttribute('data-name');
    showError('');
    if (t.classList.contains('wg-delete')) {
      if (!window.confirm('Delete device ' + name + '?')) { return; }
      call('POST', 'devices/' + id + '/delete/')
        .then(function () { window.location.reload(); })
        .catch(function (e) { showError(e.message); });
    } else if (t.classList.contains('wg-config')) {
      call('GET', 'devices/' + id + '/config/').then(function (d) {
        showConfig('Config of "' + name + '": put the device\'s own private key in', name,
                   d.config, false);
      }).catch(function (e) { showError(e.message); });
    }
  });
}());
