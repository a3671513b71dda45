// Map questions: Leaflet draws the organisation's area from a local GeoJSON file; remote tiles only when
// MAP_TILE_URL is configured. Clicking sets the latitude/longitude inputs, which stay usable by keyboard.
(function () {
  "use strict";

  function init(box) {
    if (typeof L === "undefined") { return; }
    var latInput = document.getElementById(box.getAttribute("data-lat-input"));
    var lonInput = document.getElementById(box.getAttribute("data-lon-input"));
    box.hidden = false;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", box.getAttribute("data-label") || "");
    var map = L.map(box, { scrollWheelZoom: false }).setView([59.94, 10.815], 13);
    L.Icon.Default.imagePath = box.getAttribute("data-icon-path") || "";
    var tileUrl = box.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: box.getAttribute("data-tile-attribution") || "" }).addTo(map);
    }
    var marker = null;
    function place(lat, lon, pan) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], { keyboard: false }).addTo(map); }
      if (pan) { map.panTo([lat, lon]); }
    }
    function fromInputs() {
      var lat = parseFloat((latInput.value || "").replace(",", "."));
      var lon = parseFloat((lonInput.value || "").replace(",", "."));
      if (isFinite(lat) && isFinite(lon)) { place(lat, lon, true); }
    }
    var url = box.getAttribute("data-geojson-url");
    if (url) {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) { return; }
        var layer = L.geoJSON(data, {
          style: function (feature) {
            return feature.geometry.type === "LineString"
              ? { color: "#4d4d57", weight: 3 }
              : { color: "#2a2859", weight: 2, fillOpacity: 0.08 };
          },
          onEachFeature: function (feature, lyr) {
            if (feature.properties && feature.properties.name && feature.geometry.type === "LineString") {
              lyr.bindTooltip(feature.properties.name, { sticky: true });
            }
          }
        }).addTo(map);
        if (!latInput.value) { map.fitBounds(layer.getBounds()); }
      }).catch(function () { /* the coordinate inputs still work */ });
    }
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lonInput.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng, false);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
    });
    latInput.addEventListener("change", fromInputs);
    lonInput.addEventListener("change", fromInputs);
    fromInputs();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-question]").forEach(init);
  });
})();
