// Joint/financial certificate signing in the browser, with WebCrypto and no plug-in (DOMAIN.md §4).
//
// A certificate bundle ("pcc-demo-certificate/1", written by `manage.py issue_demo_certificate`) holds
// the X.509 certificate (PEM), and the PKCS#8 private key and the VID random value R, each encrypted
// with AES-256-GCM under a key derived from the certificate password with PBKDF2-SHA256. This script
// derives the key, decrypts the private key (imported as non-extractable) and R, signs the server's
// one-time challenge with ECDSA P-256 / SHA-256, and posts the certificate, the signature (IEEE P1363,
// r || s, base64) and R. The password and the private key never leave the browser.
//
// The crypto functions are exported for Node (tests/verification/test_certificates.py runs them with
// Node's WebCrypto); in a browser the script wires up the page (templates/verification/certificate.html).
(function (root) {
  "use strict";

  var BUNDLE_FORMAT = "pcc-demo-certificate/1";
  var MIN_ITERATIONS = 100000;
  var MAX_ITERATIONS = 10000000;
  var CHALLENGE_MARGIN_MS = 20000; // fetch a fresh challenge when less than this is left

  function certificateError(code) {
    var error = new Error(code);
    error.code = code;
    return error;
  }

  function base64ToBytes(text) {
    var binary = root.atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function bytesToBase64(bytes) {
    var view = new Uint8Array(bytes);
    var binary = "";
    for (var i = 0; i < view.length; i += 1) { binary += String.fromCharCode(view[i]); }
    return root.btoa(binary);
  }

  function hexToBytes(hex) {
    if (!/^([0-9a-f]{2})+$/i.test(hex)) { throw certificateError("bad-challenge"); }
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i += 1) { bytes[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return bytes;
  }

  function isText(value) { return typeof value === "string" && value.length > 0; }

  // Throws "bad-file" unless the value has the bundle's shape.
  function checkBundle(bundle) {
    var key = bundle && bundle.encrypted_key;
    var r = bundle && bundle.encrypted_r;
    var ok = bundle && bundle.format === BUNDLE_FORMAT && isText(bundle.certificate) &&
      key && key.kdf === "PBKDF2-SHA256" && Number.isInteger(key.iterations) &&
      key.iterations >= MIN_ITERATIONS && key.iterations <= MAX_ITERATIONS &&
      isText(key.salt) && isText(key.iv) && isText(key.ciphertext) &&
      r && isText(r.iv) && isText(r.ciphertext);
    if (!ok) { throw certificateError("bad-file"); }
    parseCertificate(bundle.certificate);
    return bundle;
  }

  function parseBundle(text) {
    var bundle;
    try { bundle = JSON.parse(text); } catch (e) { throw certificateError("bad-file"); }
    return checkBundle(bundle);
  }

  // --- A minimal DER reader: just enough to show a certificate's subject name and expiry. ---
  function readTlv(bytes, offset) {
    if (offset + 2 > bytes.length) { throw certificateError("bad-file"); }
    var tag = bytes[offset];
    var length = bytes[offset + 1];
    var start = offset + 2;
    if (length & 0x80) {
      var count = length & 0x7f;
      if (count < 1 || count > 3) { throw certificateError("bad-file"); }
      length = 0;
      for (var i = 0; i < count; i += 1) { length = (length << 8) | bytes[start + i]; }
      start += count;
    }
    if (start + length > bytes.length) { throw certificateError("bad-file"); }
    return { tag: tag, start: start, end: start + length };
  }

  function childrenOf(bytes, tlv) {
    var items = [];
    var offset = tlv.start;
    while (offset < tlv.end) {
      var child = readTlv(bytes, offset);
      items.push(child);
      offset = child.end;
    }
    return items;
  }

  function textOf(bytes, tlv) {
    var content = bytes.subarray(tlv.start, tlv.end);
    if (tlv.tag === 0x1e) { // BMPString: UTF-16BE
      var chars = "";
      for (var i = 0; i + 1 < content.length; i += 2) { chars += String.fromCharCode((content[i] << 8) | content[i + 1]); }
      return chars;
    }
    return new root.TextDecoder("utf-8").decode(content);
  }

  function timeOf(bytes, tlv) {
    var text = textOf(bytes, tlv);
    var match = tlv.tag === 0x17 ?
      /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) :
      /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) { throw certificateError("bad-file"); }
    var year = parseInt(match[1], 10);
    if (tlv.tag === 0x17) { year += year >= 50 ? 1900 : 2000; } // RFC 5280 §4.1.2.5.1
    return new Date(Date.UTC(year, parseInt(match[2], 10) - 1, parseInt(match[3], 10),
      parseInt(match[4], 10), parseInt(match[5], 10), parseInt(match[6], 10)));
  }

  // {subject: the CN, notAfter: Date} of a PEM certificate; throws "bad-file" if it cannot be read.
  function parseCertificate(pem) {
    var body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
    if (!body) { throw certificateError("bad-file"); }
    var der;
    try { der = base64ToBytes(body[1].replace(/\s+/g, "")); } catch (e) { throw certificateError("bad-file"); }
    var certificate = readTlv(der, 0);
    var tbs = childrenOf(der, childrenOf(der, certificate)[0]);
    var i = tbs[0].tag === 0xa0 ? 1 : 0; // [0] version
    var validity = childrenOf(der, tbs[i + 3]);
    var subject = tbs[i + 4];
    var commonName = "";
    childrenOf(der, subject).forEach(function (set) {
      childrenOf(der, set).forEach(function (pair) {
        var parts = childrenOf(der, pair);
        var oid = der.subarray(parts[0].start, parts[0].end);
        if (oid.length === 3 && oid[0] === 0x55 && oid[1] === 0x04 && oid[2] === 0x03) { // 2.5.4.3 CN
          commonName = textOf(der, parts[1]);
        }
      });
    });
    return { subject: commonName, notBefore: timeOf(der, validity[0]), notAfter: timeOf(der, validity[1]) };
  }

  // --- WebCrypto ---
  function subtleCrypto() {
    if (!root.crypto || !root.crypto.subtle) { throw certificateError("no-webcrypto"); }
    return root.crypto.subtle;
  }

  // Decrypts the bundle with its password: {privateKey: a non-extractable CryptoKey, r: Uint8Array}.
  // A wrong password fails AES-GCM's authentication: "wrong-password".
  function openBundle(bundle, password) {
    var subtle = subtleCrypto();
    var sealed = bundle.encrypted_key;
    // NFC, as the server did when it encrypted (verification/certificates.py).
    var secret = new root.TextEncoder().encode(String(password).normalize("NFC"));
    return subtle.importKey("raw", secret, "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return subtle.deriveKey(
        { name: "PBKDF2", hash: "SHA-256", salt: base64ToBytes(sealed.salt), iterations: sealed.iterations },
        base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    }).then(function (aesKey) {
      return Promise.all([
        subtle.decrypt({ name: "AES-GCM", iv: base64ToBytes(sealed.iv) }, aesKey, base64ToBytes(sealed.ciphertext)),
        subtle.decrypt({ name: "AES-GCM", iv: base64ToBytes(bundle.encrypted_r.iv) }, aesKey,
          base64ToBytes(bundle.encrypted_r.ciphertext))
      ]).catch(function () { throw certificateError("wrong-password"); });
    }).then(function (plain) {
      return subtle.importKey("pkcs8", plain[0], { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])
        .catch(function () { throw certificateError("bad-file"); })
        .then(function (privateKey) { return { privateKey: privateKey, r: new Uint8Array(plain[1]) }; });
    });
  }

  // Signs the challenge's bytes (its hex nonce decoded): base64 of the P1363 signature r || s.
  function signChallenge(privateKey, nonceHex) {
    return subtleCrypto().sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, hexToBytes(nonceHex))
      .then(bytesToBase64);
  }

  var api = {
    BUNDLE_FORMAT: BUNDLE_FORMAT,
    parseBundle: parseBundle,
    checkBundle: checkBundle,
    parseCertificate: parseCertificate,
    openBundle: openBundle,
    signChallenge: signChallenge,
    bytesToBase64: bytesToBase64
  };
  if (typeof module === "object" && module.exports) { module.exports = api; return; }

  // --- The page ---
  var form = root.document.getElementById("certificate-form");
  if (!form) { return; }
  if (!root.crypto || !root.crypto.subtle || !root.TextEncoder) {
    root.document.getElementById("certificate-unsupported").hidden = false;
    return;
  }
  form.hidden = false;

  var $ = function (id) { return root.document.getElementById(id); };
  var msg = function (name) { return form.getAttribute("data-msg-" + name) || name; };
  var storageKey = form.getAttribute("data-storage-key");
  var password = $("certificate-password");
  var signButton = $("certificate-sign");
  var challenge = {
    id: form.getAttribute("data-challenge-id"),
    nonce: form.getAttribute("data-challenge-nonce"),
    deadline: Date.now() + 1000 * parseInt(form.getAttribute("data-challenge-seconds"), 10)
  };
  var fileBundle = null;

  function showMessage(text, field) {
    $("certificate-message").textContent = text;
    $("certificate-message-box").hidden = !text;
    password.removeAttribute("aria-invalid");
    if (text && field) {
      if (field === password) { password.setAttribute("aria-invalid", "true"); }
      field.focus();
    }
  }

  function showStatus(text) { $("certificate-status").textContent = text; }

  function storageSelected() {
    var checked = form.querySelector("input[name=storage]:checked");
    return checked ? checked.value : "browser";
  }

  function describe(bundle) {
    var info = parseCertificate(bundle.certificate);
    var expired = info.notAfter.getTime() < Date.now();
    return info.subject + " — " + msg(expired ? "expired-on" : "valid-until") + " " +
      info.notAfter.toISOString().slice(0, 10);
  }

  function savedBundles() {
    var saved;
    try { saved = JSON.parse(root.localStorage.getItem(storageKey) || "[]"); } catch (e) { return []; }
    if (!Array.isArray(saved)) { return []; }
    return saved.filter(function (bundle) {
      try { checkBundle(bundle); return true; } catch (e) { return false; }
    });
  }

  function writeBundles(bundles) {
    try {
      root.localStorage.setItem(storageKey, JSON.stringify(bundles));
      return true;
    } catch (e) {
      showMessage(msg("storage-unavailable"));
      return false;
    }
  }

  function saveBundle(bundle) {
    var bundles = savedBundles().filter(function (saved) { return saved.certificate !== bundle.certificate; });
    bundles.push(bundle);
    writeBundles(bundles);
  }

  function renderSaved() {
    var list = $("certificate-list");
    var bundles = savedBundles();
    list.textContent = "";
    $("certificate-list-empty").hidden = bundles.length > 0;
    bundles.forEach(function (bundle, index) {
      var row = root.document.createElement("div");
      row.className = "portal-certificate-row";
      var check = root.document.createElement("div");
      check.className = "krds-form-check medium";
      var input = root.document.createElement("input");
      input.type = "radio";
      input.name = "saved_certificate";
      input.id = "certificate-saved-" + index;
      input.value = String(index);
      input.checked = bundles.length === 1;
      var label = root.document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = describe(bundle); // text, never HTML: a bundle file is untrusted input
      check.appendChild(input);
      check.appendChild(label);
      var remove = root.document.createElement("button");
      remove.type = "button";
      remove.className = "krds-btn small tertiary";
      remove.textContent = msg("remove");
      remove.setAttribute("aria-label", msg("remove") + ": " + label.textContent);
      remove.addEventListener("click", function () {
        writeBundles(savedBundles().filter(function (saved) { return saved.certificate !== bundle.certificate; }));
        renderSaved();
        showStatus(msg("removed"));
      });
      row.appendChild(check);
      row.appendChild(remove);
      list.appendChild(row);
    });
  }

  function showStorage() {
    var file = storageSelected() === "file";
    $("certificate-file-panel").hidden = !file;
    $("certificate-browser-panel").hidden = file;
    showMessage("");
  }

  function selectedBundle() {
    if (storageSelected() === "file") {
      if (!fileBundle) { throw certificateError("no-file"); }
      return fileBundle;
    }
    var checked = form.querySelector("input[name=saved_certificate]:checked");
    var bundles = savedBundles();
    if (!checked || !bundles[parseInt(checked.value, 10)]) { throw certificateError("no-certificate"); }
    return bundles[parseInt(checked.value, 10)];
  }

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // The challenge rendered with the page, or a fresh one when it is about to expire.
  function currentChallenge() {
    if (Date.now() < challenge.deadline - CHALLENGE_MARGIN_MS) { return Promise.resolve(challenge); }
    return root.fetch(form.getAttribute("data-challenge-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.id) {
          var error = certificateError("challenge-failed");
          error.serverMessage = data.message;
          throw error;
        }
        challenge = { id: data.id, nonce: data.nonce, deadline: Date.now() + 1000 * data.seconds };
        form.elements.challenge_id.value = data.id;
        return challenge;
      });
    });
  }

  var fieldFor = {
    "wrong-password": password,
    "no-password": password,
    "no-certificate": $("certificate-storage-browser"),
    "no-file": $("certificate-file"),
    "bad-file": $("certificate-file")
  };

  function fail(error) {
    signButton.disabled = false;
    showStatus("");
    var code = error && error.code;
    if (code === "no-webcrypto") {
      $("certificate-unsupported").hidden = false;
      form.hidden = true;
      return;
    }
    var text = (error && error.serverMessage) || (code && form.hasAttribute("data-msg-" + code) ? msg(code) : msg("bad-file"));
    showMessage(text, fieldFor[code] || signButton);
  }

  form.querySelectorAll("input[name=storage]").forEach(function (radio) {
    radio.addEventListener("change", showStorage);
  });

  $("certificate-file").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    fileBundle = null;
    $("certificate-file-summary").textContent = "";
    showMessage("");
    if (!file) { return; }
    file.text().then(parseBundle).then(function (bundle) {
      fileBundle = bundle;
      $("certificate-file-summary").textContent = describe(bundle);
    }).catch(function () { showMessage(msg("bad-file"), $("certificate-file")); });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showMessage("");
    var bundle;
    try {
      bundle = selectedBundle();
      if (!password.value) { throw certificateError("no-password"); }
    } catch (error) {
      fail(error);
      return;
    }
    signButton.disabled = true;
    showStatus(msg("signing"));
    var remember = storageSelected() === "file" && $("certificate-remember").checked;
    openBundle(bundle, password.value).then(function (opened) {
      return currentChallenge().then(function (current) {
        return signChallenge(opened.privateKey, current.nonce).then(function (signature) {
          if (remember) { saveBundle(bundle); }
          password.value = "";
          form.elements.certificate.value = bundle.certificate;
          form.elements.signature.value = signature;
          form.elements.r.value = bytesToBase64(opened.r);
          form.submit(); // a normal POST: the server answers with the next page or the reason it refused
        });
      });
    }).catch(fail);
  });

  showStorage();
  renderSaved();
})(typeof globalThis !== "undefined" ? globalThis : this);
