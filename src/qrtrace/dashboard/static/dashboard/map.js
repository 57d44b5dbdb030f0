// The epidemic-control map: Leaflet from our own static files, GeoJSON layers from
// /api/v1/map/layers/{name}, aggregated and capped by the server. No person is ever on the map.
(function () {
  "use strict";
  var COLOURS = { 1: "#1e8e3e", 2: "#e3b200", 3: "#e8710a", 4: "#c5221f" };
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var text = config.text;
  var form = document.getElementById("map-controls");
  var status = document.getElementById("map-status");
  var capped = document.getElementById("capped-notice");
  var map = L.map("map", { preferCanvas: true, zoomSnap: 0.5, minZoom: 5, maxZoom: 18 }).setView([19.9, 105.5], 9);
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
  } else {
    status.textContent = text.noTiles;
  }
  var shown = {};
  var cappedBy = {};
  var fitted = false;

  function el(tag, textContent, attrs) {
    var node = document.createElement(tag);
    if (textContent !== undefined && textContent !== null) node.textContent = String(textContent);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }
  function clear(id) { var node = document.getElementById(id); while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function figure() { return form.elements.figure.value; }
  function figureLabel() { return form.elements.figure.options[form.elements.figure.selectedIndex].text; }
  function enabled() {
    return Array.prototype.filter.call(form.elements.layer, function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }
  function popup(lines) {
    var box = el("div");
    lines.forEach(function (line, index) { box.appendChild(el(index ? "div" : "strong", line)); });
    return box;
  }

  function communesLayer(data) {
    var name = figure();
    var max = 1;
    data.features.forEach(function (f) { max = Math.max(max, f.properties[name] || 0); });
    var body = clear("commune-figures").appendChild(el("tbody"));
    var rows = data.features.slice().sort(function (a, b) { return (b.properties[name] || 0) - (a.properties[name] || 0); });
    rows.forEach(function (f) {
      var row = el("tr", null, { "data-code": f.properties.code });
      var link = el("a", f.properties.name, { href: config.commune.replace("/0/", "/" + f.properties.code + "/") });
      row.appendChild(el("td")).appendChild(link);
      row.appendChild(el("td", f.properties[name] || 0, { "data-col": name }));
      row.appendChild(el("td", f.properties.risk_level || "—"));
      body.appendChild(row);
    });
    var table = document.getElementById("commune-figures");
    var head = el("thead"); var tr = head.appendChild(el("tr"));
    tr.appendChild(el("th", text.commune)); tr.appendChild(el("th", figureLabel(), { id: "figure-name" })); tr.appendChild(el("th", text.level));
    table.insertBefore(head, body);
    var unplaced = clear("unplaced");
    (data.unplaced || []).forEach(function (c) { unplaced.appendChild(el("li", c.name, { "data-code": c.code })); });
    if (!(data.unplaced || []).length) unplaced.appendChild(el("li", text.none));
    var group = L.featureGroup();
    L.geoJSON(data, {
      style: function (f) {
        var value = f.properties[name] || 0;
        return { color: "#37474f", weight: 1, fillColor: COLOURS[f.properties.risk_level] || "#90a4ae",
                 fillOpacity: 0.15 + 0.6 * value / max };
      },
      pointToLayer: function (f, latlng) {
        var value = f.properties[name] || 0;
        return L.circleMarker(latlng, { radius: 8 + 22 * Math.sqrt(value / max), color: "#37474f", weight: 1,
                                        fillColor: COLOURS[f.properties.risk_level] || "#90a4ae", fillOpacity: 0.6 });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup([f.properties.name, figureLabel() + ": " + (f.properties[name] || 0),
                               text.level + ": " + (f.properties.risk_level || "—")]));
        group.addLayer(layer);
        // The number itself, as a marker of its own (a label, not a person).
        var centre = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
        group.addLayer(L.marker(centre, { interactive: false, keyboard: false,
          icon: L.divIcon({ className: "map-label", html: "<span>" + Number(f.properties[name] || 0) + "</span>", iconSize: null }) }));
      }
    });
    return group;
  }

  function alertsLayer(data) {
    var list = clear("alert-venues");
    data.features.forEach(function (f) {
      list.appendChild(el("li", f.properties.name + " (" + f.properties.alerts + " " + text.alerts + ")"));
    });
    if (!data.features.length) list.appendChild(el("li", text.none));
    return L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: "#7b1fa2", weight: 2, fillColor: "#ce93d8", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        var lines = [f.properties.name];
        f.properties.windows.forEach(function (w) {
          lines.push(new Date(w.from).toLocaleString() + " – " + new Date(w.to).toLocaleString());
        });
        layer.bindPopup(popup(lines));
      }
    });
  }

  function restrictedLayer(data) {
    var list = clear("restricted-list");
    var names = {};
    data.features.forEach(function (f) { names[f.properties.name] = f.properties; });
    Object.keys(names).forEach(function (n) {
      var p = names[n];
      list.appendChild(el("li", n + " · " + p.kind_label + " · " + p.period + " · " + p.reason));
    });
    if (!data.features.length) list.appendChild(el("li", text.none));
    return L.geoJSON(data, {
      style: function () { return { color: "#b71c1c", weight: 2, dashArray: "6 4", fillOpacity: 0.08 }; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 34, color: "#b71c1c", weight: 2, dashArray: "6 4", fill: false });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup([f.properties.name, f.properties.kind_label, f.properties.reason]));
      }
    });
  }

  // Centralised facilities: occupancy and free beds (counts, never who). Placed at their commune's
  // centre by the server, they are spread on a small ring around it to stay apart and clickable.
  var FACILITY_COLOURS = { open: "#00695c", full: "#c5221f", closed: "#757575" };
  function facilitiesLayer(data) {
    var body = clear("facility-figures").appendChild(el("tbody"));
    var rowOf = {};
    data.features.forEach(function (f) {
      var p = f.properties;
      var row = rowOf[p.code] = el("tr", null, { "data-code": p.code, "data-status": p.status, tabindex: "0" });
      // Four columns, to fit a phone: the facility (its commune and status under its name), the counts.
      var who = row.appendChild(el("td"));
      who.appendChild(el("div", p.name));
      who.appendChild(el("small", p.commune + " · " + p.status_label, { "class": "muted" }));
      row.appendChild(el("td", p.beds, { "data-col": "beds" }));
      row.appendChild(el("td", p.occupied, { "data-col": "occupied" }));
      row.appendChild(el("td", p.free, { "data-col": "free" }));
      body.appendChild(row);
    });
    var table = document.getElementById("facility-figures");
    var head = el("thead"); var tr = head.appendChild(el("tr"));
    [text.facility, text.bedsHeading, text.occupied, text.free].forEach(function (h) { tr.appendChild(el("th", h)); });
    table.insertBefore(head, body);
    var empty = document.getElementById("facility-none");
    empty.hidden = data.features.length > 0;
    var seen = {};
    return L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var key = latlng.lat.toFixed(5) + "," + latlng.lng.toFixed(5);
        // Off the commune's centre (where its number is drawn), on a ring, one after the other.
        var n = seen[key] = (seen[key] || 0) + 1;
        var angle = 2.4 * n - 1.6;
        latlng = L.latLng(latlng.lat + 0.008 * Math.sin(angle) * Math.sqrt(n), latlng.lng + 0.008 * Math.cos(angle) * Math.sqrt(n));
        return L.circleMarker(latlng, { radius: 9, color: "#263238", weight: 2,
                                        fillColor: FACILITY_COLOURS[f.properties.status] || "#00695c", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup(popup([p.name, p.commune + " · " + p.status_label,
                               text.occupied + ": " + p.occupied + " / " + p.beds + " " + text.beds,
                               text.free + ": " + p.free]), { autoPanPaddingTopLeft: [50, 10] });
        // A row of the list opens its facility's popup (markers in one commune are close together).
        var open = function () { layer.openPopup(); };
        rowOf[p.code].addEventListener("click", open);
        rowOf[p.code].addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
      }
    });
  }

  var BUILD = { communes: communesLayer, alerts: alertsLayer, restricted: restrictedLayer, facilities: facilitiesLayer };

  function showCapped() {
    var notes = Object.keys(cappedBy).filter(function (k) { return cappedBy[k]; }).map(function (k) {
      return text.capped.replace("%(shown)s", cappedBy[k].shown).replace("%(total)s", cappedBy[k].total);
    });
    capped.hidden = !notes.length;
    capped.textContent = notes.join(" ");
  }

  var latest = {};
  function drop(name) {
    map.removeLayer(shown[name]);
    delete shown[name];
  }
  function load(name) {
    var ticket = (latest[name] || 0) + 1;
    latest[name] = ticket;
    var url = config.layers.replace("NAME", name) + "?from=" + form.elements.from.value + "&to=" + form.elements.to.value;
    status.textContent = text.loading;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        // A newer request (another date, the layer switched off meanwhile) decides what is drawn.
        if (latest[name] !== ticket || enabled().indexOf(name) < 0) return;
        if (shown[name]) drop(name);
        shown[name] = BUILD[name](data).addTo(map);
        cappedBy[name] = data.capped ? { shown: data.features.length, total: data.total } : null;
        showCapped();
        if (status.textContent === text.loading) status.textContent = config.tiles ? "" : text.noTiles;
        if (name === "communes" && !fitted && data.features.length) {
          var bounds = shown[name].getBounds();
          if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 13, animate: false }); fitted = true; }
        }
        document.body.setAttribute("data-layer-" + name, "loaded");
      })
      .catch(function () { status.textContent = text.failed; });
  }

  function refresh() {
    var wanted = enabled();
    Object.keys(shown).forEach(function (name) {
      if (wanted.indexOf(name) < 0) { drop(name); cappedBy[name] = null;
        latest[name] = (latest[name] || 0) + 1;
        document.body.removeAttribute("data-layer-" + name); }
    });
    showCapped();
    wanted.forEach(load);
  }

  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  refresh();
})();
