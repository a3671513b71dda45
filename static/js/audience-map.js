// Audience builder map: the district outline and address points from a local GeoJSON route (no personal data),
// remote tiles only when MAP_TILE_URL is configured. Click the map (or "Add corner at map centre" from the
// keyboard) to add corners, "Finish area" closes the ring and writes it as [[lon, lat], ...] into the polygon
// textarea, which stays editable for users without the map. Every change fires a "change" event so the htmx
// live preview updates.
(function () {
  "use strict";

  function parseRing(text) {
    try {
      var value = JSON.parse(text);
      if (value && value.type === "Polygon") { value = value.coordinates[0]; }
      if (!Array.isArray(value)) { return null; }
      var ring = [];
      for (var i = 0; i < value.length; i++) {
        var p = value[i];
        if (!Array.isArray(p) || p.length !== 2 || !isFinite(p[0]) || !isFinite(p[1])) { return null; }
        ring.push([Number(p[0]), Number(p[1])]);
      }
      return ring;
    } catch (e) {
      return null;
    }
  }

  function init(box) {
    if (typeof L === "undefined") { return; }
    var input = document.getElementById(box.getAttribute("data-polygon-input"));
    var tools = document.getElementById("audience-map-tools");
    var status = document.getElementById("audience-map-status");
    if (!input) { return; }
    box.hidden = false;
    if (tools) { tools.hidden = false; }
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", box.getAttribute("data-label") || "");
    var map = L.map(box, { preferCanvas: true, scrollWheelZoom: false, keyboard: true }).setView([59.94, 10.815], 13);
    var tileUrl = box.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: box.getAttribute("data-tile-attribution") || "" }).addTo(map);
    }
    var renderer = L.canvas({ padding: 0.2 });
    var corners = [];          // [lat, lng] while drawing
    var finished = false;
    var shape = null;          // polyline while drawing, polygon when finished
    var vertexLayer = L.layerGroup().addTo(map);

    function say(key) {
      if (status) { status.textContent = box.getAttribute(key) || ""; }
    }

    function redraw() {
      if (shape) { map.removeLayer(shape); shape = null; }
      vertexLayer.clearLayers();
      if (!corners.length) { return; }
      var style = { color: "#c2185b", weight: 3, fillOpacity: 0.15, renderer: renderer };
      shape = finished ? L.polygon(corners, style) : L.polyline(corners, style);
      shape.addTo(map);
      if (!finished) {
        corners.forEach(function (c) {
          L.circleMarker(c, { radius: 5, color: "#c2185b", fillOpacity: 1, renderer: renderer }).addTo(vertexLayer);
        });
      }
    }

    function writeInput() {
      if (finished && corners.length >= 3) {
        var ring = corners.map(function (c) { return [Number(c[1].toFixed(6)), Number(c[0].toFixed(6))]; });
        ring.push(ring[0].slice());
        input.value = JSON.stringify(ring);
      } else {
        input.value = "";
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function fromInput() {
      var ring = parseRing((input.value || "").trim());
      if (!ring || ring.length < 3) { return; }
      var last = ring[ring.length - 1];
      if (ring[0][0] === last[0] && ring[0][1] === last[1]) { ring = ring.slice(0, -1); }
      corners = ring.map(function (p) { return [p[1], p[0]]; });
      finished = true;
      redraw();
    }

    function addCorner(latlng) {
      if (finished) { corners = []; finished = false; }
      corners.push([latlng.lat, latlng.lng]);
      redraw();
      say("data-msg-added");
    }

    map.on("click", function (event) { addCorner(event.latlng); });

    if (tools) {
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("[data-map-action]");
        if (!button) { return; }
        var action = button.getAttribute("data-map-action");
        if (action === "centre") {
          addCorner(map.getCenter());
        } else if (action === "undo") {
          if (finished) { finished = false; }
          corners.pop();
          redraw();
        } else if (action === "finish") {
          if (corners.length < 3) { say("data-msg-need-three"); return; }
          finished = true;
          redraw();
          writeInput();
          say("data-msg-finished");
        } else if (action === "clear") {
          corners = [];
          finished = false;
          redraw();
          writeInput();
          say("data-msg-cleared");
        }
      });
    }
    input.addEventListener("change", function (event) {
      if (event.isTrusted) { fromInput(); }
    });

    var url = box.getAttribute("data-geojson-url");
    if (url) {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data || !data.features) { return; }
        var bounds = null;
        data.features.forEach(function (feature) {
          var kind = feature.properties && feature.properties.kind;
          if (kind === "area") {
            var outline = L.geoJSON(feature, {
              interactive: false,
              style: function () { return { color: "#2a2859", weight: 2, fillOpacity: 0.04 }; }
            }).addTo(map);
            bounds = outline.getBounds();
          } else if (kind === "addresses" && feature.geometry && feature.geometry.type === "MultiPoint") {
            var points = L.layerGroup();
            feature.geometry.coordinates.forEach(function (c) {
              L.circleMarker([c[1], c[0]], {
                radius: 2, weight: 0, fillColor: "#4d4d57", fillOpacity: 0.6, interactive: false, renderer: renderer
              }).addTo(points);
            });
            points.addTo(map);
          }
        });
        if (shape) { map.fitBounds(shape.getBounds()); } else if (bounds) { map.fitBounds(bounds); }
        if (shape) { shape.bringToFront(); }
      }).catch(function () { /* the polygon textarea still works */ });
    }
    fromInput();
  }

  // A registry outage answers 503 with a message for the preview: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr && event.detail.xhr.status === 503 && target && target.id === "audience-preview") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("audience-map");
    if (box) { init(box); }
  });
})();
