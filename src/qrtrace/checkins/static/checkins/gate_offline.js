// The gate with no network: scans and manual entries go into a queue on this device (IndexedDB), each
// with the device's clock and an id of its own, and are sent, oldest first and in batches, to
// POST /api/v1/checkins/batch when the network returns, with the token this device was enrolled
// with. The server answers per item; what it recorded, or already had, leaves the queue, so sending
// twice records nothing twice. A personal card scanned offline cannot be checked here (that would
// need the signing key on every gate phone): the server checks it at sync and refuses a forged one.
(function () {
  "use strict";
  var root = document.getElementById("offline");
  if (!root || !window.indexedDB) return;
  var venue = root.getAttribute("data-venue");
  var batchUrl = root.getAttribute("data-batch-url");
  var status = document.getElementById("offline-status");
  var entry = document.getElementById("offline-entry");
  var tokenKey = "qrtrace-gate-token:" + venue;
  var text = JSON.parse(document.getElementById("offline-text").textContent);
  var BATCH = 500;
  var syncing = false;

  if (root.getAttribute("data-new-token")) localStorage.setItem(tokenKey, root.getAttribute("data-new-token"));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: root.getAttribute("data-scope") });
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("qrtrace-gate", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "client_id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("queue", mode);
        var result = work(tx.objectStore("queue"));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function queued() {
    return store("readonly", function (queue) { return queue.getAll(); }).then(function (items) {
      return items.filter(function (item) { return item.venue_code === venue; }).sort(function (a, b) {
        return a.seq - b.seq;
      });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function add(fields) {
    var item = Object.assign({ client_id: newId(), venue_code: venue, entered_at: new Date().toISOString(), seq: Date.now() }, fields);
    return store("readwrite", function (queue) { queue.put(item); }).then(render);
  }

  function render() {
    return queued().then(function (items) {
      var waiting = items.filter(function (item) { return !item.refused; });
      var refused = items.length - waiting.length;
      var parts = [];
      if (!navigator.onLine) parts.push(text.offline);
      if (waiting.length) parts.push(text.waiting.replace("%(n)s", waiting.length));
      else if (navigator.onLine && !refused && root.getAttribute("data-synced")) parts.push(text.synced);
      if (refused) parts.push(text.refused.replace("%(n)s", refused));
      if (!localStorage.getItem(tokenKey)) parts.push(text.notEnrolled);
      status.textContent = parts.join(" ");
      status.hidden = parts.length === 0;
      document.body.classList.toggle("gate-offline", !navigator.onLine);
      entry.hidden = navigator.onLine;
    });
  }

  function payload(item) {
    var body = { client_id: item.client_id, venue_code: item.venue_code, entered_at: item.entered_at };
    ["person", "personal_code", "declaration"].forEach(function (key) { if (item[key]) body[key] = item[key]; });
    return body;
  }

  function sync() {
    var token = localStorage.getItem(tokenKey);
    if (syncing || !navigator.onLine || !token) return Promise.resolve(render());
    syncing = true;
    return queued().then(function (items) {
      var batch = items.filter(function (item) { return !item.refused; }).slice(0, BATCH);
      if (!batch.length) return false;
      return fetch(batchUrl, {
        method: "POST",
        headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
        body: JSON.stringify({ items: batch.map(payload) }),
        credentials: "omit"
      }).then(function (response) {
        if (response.status === 401) { localStorage.removeItem(tokenKey); return false; }
        if (!response.ok) return false;
        return response.json().then(function (answer) {
          return store("readwrite", function (queue) {
            answer.items.forEach(function (result) {
              var item = batch[result.index];
              if (result.status === "refused") { item.refused = result.reason; queue.put(item); }
              else queue.delete(item.client_id);
            });
          }).then(function () { root.setAttribute("data-synced", "1"); return batch.length === BATCH; });
        });
      }, function () { return false; });  // still no network: try again later
    }).then(function (more) {
      syncing = false;
      return more ? sync() : render();
    }, function () { syncing = false; return render(); });
  }

  // The camera (gate.js) and the typed code: with no network, a personal card goes into the queue.
  window.qrtraceGateOffline = function (code) {
    if (navigator.onLine) return false;
    add({ personal_code: code.trim().toUpperCase() });
    return true;
  };
  var scanForm = document.getElementById("scan-form");
  scanForm.addEventListener("submit", function (event) {
    if (window.qrtraceGateOffline(document.getElementById("token").value)) {
      event.preventDefault();
      scanForm.reset();
    }
  });
  entry.addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData(entry);
    var declaration = {};
    Array.prototype.forEach.call(entry.querySelectorAll("input[type=checkbox]"), function (box) {
      declaration[box.name.replace(/^offline-/, "")] = box.checked;
    });
    var person = { full_name: form.get("full_name"), phone: form.get("phone") };
    if (form.get("birth_year")) person.birth_year = parseInt(form.get("birth_year"), 10);
    if (form.get("offline-commune")) person.commune_code = parseInt(form.get("offline-commune"), 10);
    add({ person: person, declaration: declaration }).then(function () { entry.reset(); });
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", render);
  setInterval(sync, 30000);
  sync();
})();
