// The public map: Leaflet from our own static files draws GET /api/v1/public/map (one cacheable
// GeoJSON: commune risk levels, restricted areas, venues with published alerts). Nothing personal.
// Without JavaScript the page's lists below carry the same information; this only adds the map.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var text = config.text;
  var box = document.getElementById("public-map");
  var status = document.getElementById("map-status");
  if (!window.L || !window.fetch) return;
  box.hidden = false;
  var map = L.map(box, { preferCanvas: true, zoomSnap: 0.5, minZoom: 5, maxZoom: 17 }).setView([19.9, 105.5], 9);
  if (config.tiles) L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 17 }).addTo(map);
  else status.textContent = text.noTiles;

  function popup(lines) {
    var node = document.createElement("div");
    lines.forEach(function (line, index) {
      var part = document.createElement(index ? "div" : "strong");
      part.textContent = line;
      node.appendChild(part);
    });
    return node;
  }
  function lines(p) {
    if (p.layer === "commune") return [p.commune, p.level_label, text.newCases + ": " + p.new_cases_7_days];
    if (p.layer === "restricted") return [p.area, text.restricted + " · " + p.kind, p.period].concat(p.communes.length ? [p.communes.join(", ")] : []);
    return [p.venue, p.address + ", " + p.commune].concat(p.windows.map(function (w) { return w.text; }));
  }
  function style(f) {
    var p = f.properties;
    if (p.layer === "commune") return { color: "#37474f", weight: 1, fillColor: p.colour, fillOpacity: 0.55 };
    return { color: "#b71c1c", weight: 3, dashArray: "6 4", fillOpacity: 0.06 };
  }
  function point(f, latlng) {
    var p = f.properties;
    if (p.layer === "commune") return L.circleMarker(latlng, { radius: 16, color: "#37474f", weight: 1, fillColor: p.colour, fillOpacity: 0.7 });
    if (p.layer === "restricted") return L.circleMarker(latlng, { radius: 26, color: "#b71c1c", weight: 3, dashArray: "6 4", fill: false });
    return L.circleMarker(latlng, { radius: 8, color: "#4a148c", weight: 2, fillColor: "#ce93d8", fillOpacity: 0.95 });
  }

  fetch(config.data, { headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" } })
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
    .then(function (data) {
      var order = { commune: 0, restricted: 1, alert: 2 };  // venues on top, to stay tappable
      var features = data.features.filter(function (f) { return f.geometry; })
        .sort(function (a, b) { return order[a.properties.layer] - order[b.properties.layer]; });
      var drawn = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: style,
        pointToLayer: point,
        onEachFeature: function (f, layer) {
          layer.bindPopup(popup(lines(f.properties)));
          if (f.properties.layer === "commune") {
            // The level itself, as a label: readable without telling colours apart.
            var centre = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
            L.marker(centre, { interactive: false, keyboard: false, icon: L.divIcon({
              className: "level-label", html: "<span>" + Number(f.properties.level) + "</span>", iconSize: null }) }).addTo(map);
          }
        }
      }).addTo(map);
      var bounds = drawn.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 13, animate: false });
      document.body.setAttribute("data-map", "loaded");
    })
    .catch(function () { status.textContent = text.failed; box.hidden = true; });
})();
