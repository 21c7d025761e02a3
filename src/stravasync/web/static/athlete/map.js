// Routes from Strava's encoded polylines, drawn with the vendored Leaflet (no tiles unless the
// page's data names a tile URL: STRAVASYNC_MAP_TILE_URL).
(function () {
  "use strict";

  function decode(text) {
    // Google's encoded polyline algorithm, precision 5 (what Strava sends).
    var points = [], index = 0, lat = 0, lng = 0;
    while (index < text.length) {
      var deltas = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, byte;
        do {
          byte = text.charCodeAt(index++) - 63;
          result |= (byte & 0x1f) << shift;
          shift += 5;
        } while (byte >= 0x20 && index < text.length);
        deltas[k] = result & 1 ? ~(result >> 1) : result >> 1;
      }
      lat += deltas[0];
      lng += deltas[1];
      points.push([lat / 1e5, lng / 1e5]);
    }
    return points;
  }

  function baseMap(id, data) {
    var map = L.map(id, { preferCanvas: true, zoomSnap: 0.25, attributionControl: Boolean(data.tiles) });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: "map tiles" }).addTo(map);
    }
    return map;
  }

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var route = read("route-data");
  if (route && route.polyline) {
    var points = decode(route.polyline);
    var map = baseMap("route-map", route);
    var line = L.polyline(points, { color: "#d9480f", weight: 4 }).addTo(map);
    L.circleMarker(points[0], { radius: 6, color: "#2b8a3e", fillOpacity: 1 }).addTo(map);
    L.circleMarker(points[points.length - 1], { radius: 6, color: "#1c1c1c", fillOpacity: 1 }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [36, 36] });
  }

  var heat = read("heat-data");
  if (heat && heat.polylines && heat.polylines.length) {
    var hmap = baseMap("heat-map", heat);
    var renderer = L.canvas({ padding: 0.5 });
    var bounds = null;
    heat.polylines.forEach(function (encoded) {
      var pts = decode(encoded);
      if (!pts.length) { return; }
      var pl = L.polyline(pts, { color: "#d9480f", weight: 2, opacity: 0.3, renderer: renderer, interactive: false }).addTo(hmap);
      bounds = bounds ? bounds.extend(pl.getBounds()) : pl.getBounds();
    });
    if (bounds) { hmap.fitBounds(bounds, { padding: [24, 24] }); }
  }
  window.stravasyncDecode = decode;
})();
