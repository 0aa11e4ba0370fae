// Draws the insights charts from the JSON the page carries (json_script): no inline
// script, and every chart has a table beside it with the same numbers.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#ffc107"];

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = data[canvas.dataset.chart];
    // No labels, or nothing but zeros and gaps: an empty chart would look like data.
    var drawn = chart && Object.keys(chart.series).some(function (name) {
      return chart.series[name].some(function (value) { return value; });
    });
    if (!chart || !chart.labels.length || !drawn) {
      // The words, in the page's language, from templates/_partials/js_strings.html.
      var strings = document.getElementById("js-strings");
      canvas.replaceWith(Object.assign(document.createElement("p"), {
        className: "text-muted small", textContent: strings ? strings.dataset.textChartEmpty : ""
      }));
      return;
    }
    var kind = canvas.dataset.kind;
    var names = Object.keys(chart.series);
    var datasets = names.map(function (name, i) {
      var colour = palette[i % palette.length];
      return {
        label: name,
        data: chart.series[name],
        backgroundColor: kind === "doughnut" ? palette.slice(0, chart.labels.length) : colour,
        borderColor: colour,
        fill: false,
        tension: 0,
        maxBarThickness: 80
      };
    });
    var stacked = kind === "stacked";
    new Chart(canvas, {
      type: stacked ? "bar" : kind,
      data: { labels: chart.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: kind === "doughnut" ? 1.6 : 2.6,
        scales: kind === "doughnut" ? {} : {
          x: { stacked: stacked },
          // Counts are whole; ratings run 1 to 5 whatever this period's values.
          y: canvas.dataset.chart === "satisfaction"
            ? { min: 1, max: 5, ticks: { precision: 0 } }
            : { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { display: names.length > 1 || kind === "doughnut" } }
      }
    });
    canvas.dataset.rendered = "true";
  });
})();
