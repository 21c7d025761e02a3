// stravasync charts: each <figure class="chart-box"> carries its data as JSON
// (<script type="application/json" class="chart-data">, no inline script under the CSP);
// Chart.js (vendor/chartjs) draws it on the figure's canvas with axis titles and units.
(function () {
  "use strict";
  if (!window.Chart) return;
  var ACCENT = "#fc4c02";
  var LIMIT = "#b91c1c";
  var GRID = "#e5e7eb";
  var TEXT = "#4b5563";

  function number(v) {
    return Number(v).toLocaleString("en", { maximumFractionDigits: 1 });
  }

  document.querySelectorAll("figure.chart-box").forEach(function (box) {
    var holder = box.querySelector("script.chart-data");
    var canvas = box.querySelector("canvas");
    if (!holder || !canvas) return;
    var spec = JSON.parse(holder.textContent);
    var datasets = spec.series.map(function (s) {
      var line = s.kind === "line";
      return {
        type: line ? "line" : "bar",
        label: s.label,
        data: s.values,
        backgroundColor: line ? LIMIT : ACCENT,
        borderColor: line ? LIMIT : ACCENT,
        borderWidth: line ? 2 : 0,
        borderDash: line ? [6, 4] : [],
        pointRadius: 0,
        barPercentage: 1.0,
        categoryPercentage: 0.9,
        order: line ? 0 : 1,
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, labels: { color: TEXT, boxWidth: 14 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + number(ctx.parsed.y) + " " + spec.unit;
              },
            },
          },
        },
        scales: {
          x: {
            title: { display: true, text: spec.x_title, color: TEXT },
            ticks: { color: TEXT, autoSkip: true, maxRotation: 0, autoSkipPadding: 12 },
            grid: { display: false },
          },
          y: {
            beginAtZero: true,
            title: { display: true, text: spec.y_title, color: TEXT },
            ticks: { color: TEXT, callback: function (v) { return number(v); } },
            grid: { color: GRID },
          },
        },
      },
    });
  });
})();
