// The gate scanner's service worker: the gate pages and their scripts keep working with no network.
// The network first, always (fresh declarations, a fresh CSRF token, a changed script), and the copy
// kept from the last visit when there is none. Nothing else is touched: check-ins and the batch sync
// go to the network, and fail there when it is down, which is how the page knows to queue them
// (gate_offline.js).
"use strict";
var CACHE = "qrtrace-gate-{{ version }}";
var ASSETS = {{ assets|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("qrtrace-gate-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && url.pathname.indexOf("{{ scope }}") === 0;
  if (!page && ASSETS.indexOf(url.pathname) === -1) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.match(request, { ignoreSearch: true }).then(function (kept) { return kept || Response.error(); });
  }));
});
