// Draw a restricted area on a plain Leaflet map: each click adds a corner; the GeoJSON polygon is
// written into the form's geometry field (the server validates it again).
(function () {
  "use strict";
  var holder = document.getElementById("draw-map");
  var field = document.querySelector("textarea[name=geometry]");
  if (!holder || !field || typeof L === "undefined") return;
  var map = L.map(holder, { minZoom: 5, maxZoom: 18 }).setView([19.9, 105.5], 9);
  if (holder.dataset.tiles) L.tileLayer(holder.dataset.tiles, { maxZoom: 18 }).addTo(map);
  // The communes as a reference to draw against (their boundaries, or circles at their venues).
  fetch(holder.dataset.communes, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : { features: [] }; })
    .then(function (data) {
      var reference = L.geoJSON(data, {
        style: function () { return { color: "#5b6570", weight: 1, fill: false }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 10, color: "#5b6570", weight: 1 }); },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
      }).addTo(map);
      if (data.features.length && reference.getBounds().isValid()) {
        map.fitBounds(reference.getBounds().pad(0.1), { maxZoom: 14, animate: false });
      }
    });
  var corners = [];
  var shape = null;
  function write() {
    if (shape) map.removeLayer(shape);
    shape = corners.length ? L.polygon(corners, { color: "#b71c1c" }).addTo(map) : null;
    if (corners.length < 3) { field.value = ""; return; }
    var ring = corners.map(function (p) { return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]; });
    ring.push(ring[0]);
    field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }
  map.on("click", function (event) { corners.push(event.latlng); write(); });
  document.getElementById("draw-clear").addEventListener("click", function () { corners = []; write(); });
})();
