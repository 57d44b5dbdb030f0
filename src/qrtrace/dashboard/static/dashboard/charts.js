// 30-day charts with uPlot: the series come from the page's <script type="application/json">.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("chart");
    var source = document.getElementById("chart-data");
    if (!holder || !source || typeof uPlot === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.days || !data.days.length) return;
    var colours = ["#c5221f", "#1a73e8", "#e8710a", "#5b6570"];
    var names = Object.keys(data.labels || {});
    var xs = data.days.map(function (day) { return Date.parse(day + "T12:00:00") / 1000; });
    var series = [{ label: data.day || "" }];
    var columns = [xs];
    names.forEach(function (name, index) {
      series.push({ label: data.labels[name], stroke: colours[index % colours.length], width: 2,
                    scale: name === "checkins" ? "checkins" : "n" });
      columns.push(data[name]);
    });
    var axes = [{}, { scale: "n" }];
    if (names.indexOf("checkins") >= 0) axes.push({ scale: "checkins", side: 1, grid: { show: false } });
    var width = Math.max(280, holder.clientWidth);
    var plot = new uPlot({ width: width, height: 240, series: series, axes: axes,
                           scales: { x: { time: true } } }, columns, holder);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(280, holder.clientWidth), height: 240 });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
