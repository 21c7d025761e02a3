// Totals per week, month and year by sport, stacked bars drawn with the vendored Chart.js.
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var COLORS = ["#c2410c", "#1d4ed8", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be123c", "#4d7c0f", "#475569"];
  var AXIS = { weekly: "ISO week", monthly: "Month", yearly: "Year" };
  var LABEL = { distance: "Distance", time: "Moving time", elevation: "Elevation gain" };
  var charts = {};

  function datasets(s, metric) {
    return s.sports.map(function (sport, i) {
      return { label: sport, data: s.series[metric][sport], backgroundColor: COLORS[i % COLORS.length], stack: "sport" };
    });
  }

  function yTitle(metric) {
    return LABEL[metric] + " (" + data.units[metric] + ")";
  }

  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1f2937";
  Object.keys(AXIS).forEach(function (name) {
    var canvas = document.getElementById("chart-" + name);
    var s = data.series[name];
    if (!canvas || !s) { return; }
    charts[name] = new Chart(canvas, {
      type: "bar",
      data: { labels: s.periods, datasets: datasets(s, "distance") },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var metric = charts[name].$metric || "distance";
                return ctx.dataset.label + ": " + ctx.parsed.y.toFixed(1) + " " + data.units[metric];
              }
            }
          }
        },
        scales: {
          x: { stacked: true, title: { display: true, text: AXIS[name] }, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: yTitle("distance") } }
        }
      }
    });
    charts[name].$metric = "distance";
  });

  document.querySelectorAll("input[name=metric]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var metric = radio.value;
      Object.keys(charts).forEach(function (name) {
        var chart = charts[name];
        chart.$metric = metric;
        chart.data.datasets = datasets(data.series[name], metric);
        chart.options.scales.y.title.text = yTitle(metric);
        chart.update();
      });
    });
  });
})();
