/* The dashboard's charts (ECharts from npm, served from static/vendor). Every bar, point
   and slice opens the task list behind it, as the numbers in the tables do. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  var source = document.getElementById("dashboard-data");
  if (!root || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var big = root.classList.contains("big-screen");
  var text = big ? "#f0f3f6" : "#1f2328";
  var font = big ? 18 : 12;
  var colours = { green: "#1a7f37", yellow: "#bf8700", red: "#cf222e", blue: "#0969da" };
  var charts = [];

  function open(link) { if (link) { window.location.href = link; } }

  function draw(id, option, onClick) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    option.textStyle = { fontSize: font, color: text };
    option.animation = !big;
    chart.setOption(option);
    chart.on("click", onClick);
    charts.push(chart);
  }

  function rateBars(id, title, rows) {
    if (!rows.length) { return; }
    draw(id, {
      title: { text: title, textStyle: { fontSize: font + 2, color: text } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, textStyle: { color: text, fontSize: font } },
      grid: { left: 48, right: 16, top: 40, bottom: 64 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }),
               axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0, color: text, fontSize: font } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: text, fontSize: font } },
      series: [
        { name: labels.completion, type: "bar", data: rows.map(function (r) { return r.completion; }), itemStyle: { color: colours.green } },
        { name: labels.on_track, type: "bar", data: rows.map(function (r) { return r.on_track; }), itemStyle: { color: colours.blue } }
      ]
    }, function (params) {
      var row = rows[params.dataIndex];
      open(params.seriesIndex === 0 ? row.links.closed : row.links.on_track);
    });
  }

  draw("chart-lights", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0, textStyle: { color: text, fontSize: font } },
    series: [{
      type: "pie", radius: ["40%", "70%"],
      label: { formatter: "{c}", color: text, fontSize: font },
      data: data.lights.map(function (l) {
        return { name: labels[l.name], value: l.value, link: l.link, itemStyle: { color: colours[l.name] } };
      })
    }]
  }, function (params) { open(params.data.link); });

  rateBars("chart-origins", "", data.origins);
  rateBars("chart-units", "", data.units);

  if (data.months.length) {
    draw("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, textStyle: { color: text, fontSize: font } },
      grid: { left: 48, right: 48, top: 24, bottom: 48 },
      xAxis: { type: "category", data: data.months.map(function (r) { return r.label; }), axisLabel: { color: text, fontSize: font } },
      yAxis: [
        { type: "value", axisLabel: { color: text, fontSize: font } },
        { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: text, fontSize: font } }
      ],
      series: [
        { name: labels.total, type: "bar", data: data.months.map(function (r) { return r.total; }), itemStyle: { color: colours.blue } },
        { name: labels.closed, type: "bar", data: data.months.map(function (r) { return r.closed; }), itemStyle: { color: colours.green } },
        { name: labels.overdue, type: "bar", data: data.months.map(function (r) { return r.overdue; }), itemStyle: { color: colours.red } },
        { name: labels.completion, type: "line", yAxisIndex: 1, data: data.months.map(function (r) { return r.completion; }) }
      ]
    }, function (params) {
      var row = data.months[params.dataIndex];
      open([row.links.counted, row.links.closed, row.links.overdue, row.links.closed][params.seriesIndex]);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  root.setAttribute("data-charts", String(charts.length));

  // A meeting-room screen stays current without anyone touching it.
  var refresh = parseInt(root.getAttribute("data-refresh-seconds") || "0", 10);
  if (refresh > 0) { window.setTimeout(function () { window.location.reload(); }, refresh * 1000); }
})();
