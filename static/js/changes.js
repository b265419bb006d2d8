// Changes on every chart: the one uPlot plugin that draws deployments, scales, restarts, crashes, farm and
// server launches and terminations and configuration changes as markers on a chart's time axis.
//
// A chart's data (its JSON) carries `changes` [{t (epoch s), kind, text, url, status, object, vendor}],
// `concerns` (whose changes they are, said under the chart) and `investigate` (the incident page's URL for
// these objects; a click on the chart adds that moment). Charts call consoleChanges.plugin(data) in their
// uPlot options; the explorer's SVG histogram has its marks drawn by the server ([data-change-mark]).
// Kinds are toggled by the checkboxes of [data-change-toggles] (templates/htmx/change_toggles.html); what is
// hidden is kept in the URL (`hide_changes=scale,config`), so a shared link shows the same markers.
window.consoleChanges = window.consoleChanges || (function () {
  "use strict";
  const SYMBOLS = { deploy: "▲", scale: "⇅", restart: "↻", crash: "✖", farm: "■", server: "●", config: "⚙" };
  const FAILED = /fail|error|crash|abort|timeout/i;
  const params = new URLSearchParams(window.location.search);
  const hidden = new Set((params.get("hide_changes") || "").split(",").filter(Boolean));
  const plots = new Set();

  function time(t) { return window.consoleTime.format(t, "time"); }

  // "ops scaled web 2×M → 4×M, 14:02": the change in its words, then when.
  function tooltip(change) {
    return change.text.replace(/\.$/, "") + ", " + time(change.t);
  }

  function marker(u, change) {
    const mark = document.createElement(change.url ? "a" : "span");
    mark.className = "change-marker change-" + change.kind + (FAILED.test(change.status || "") ? " change-failed" : "");
    if (change.url) mark.href = change.url; else mark.tabIndex = 0;
    const x = u.valToPos(change.t, "x");
    mark.style.left = Math.round(x) + "px";
    if (x > u.over.clientWidth / 2) mark.classList.add("change-tip-left");
    mark.dataset.kind = change.kind;
    mark.dataset.t = String(change.t);
    mark.setAttribute("aria-label", tooltip(change));
    const head = document.createElement("span");
    head.className = "change-head";
    head.setAttribute("aria-hidden", "true");
    head.textContent = SYMBOLS[change.kind] || "•";
    const tip = document.createElement("span");
    tip.className = "change-tip";
    tip.setAttribute("role", "tooltip");
    tip.textContent = tooltip(change);
    mark.append(head, tip);
    return mark;
  }

  function investigateAt(u, data, left) {
    let link = u.over.querySelector(":scope > .investigate-point");
    if (!link) {
      link = document.createElement("a");
      link.className = "investigate-point";
      u.over.appendChild(link);
    }
    const t = u.posToVal(left, "x");
    const at = new Date(Math.round(t) * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    link.href = data.investigate + (data.investigate.indexOf("?") < 0 ? "?" : "&") + "at=" + encodeURIComponent(at);
    link.textContent = "Investigate " + time(t) + " →";
    link.style.left = Math.round(left) + "px";
    link.classList.toggle("flip", left > u.over.clientWidth / 2);
  }

  // options.compact: a tile (no investigate link: the tile's page has the chart)
  function plugin(data, options) {
    const changes = (data && data.changes) || [];
    const compact = options && options.compact;
    let layer = null;

    function place(u) {
      if (!layer) return;
      const min = u.scales.x.min, max = u.scales.x.max;
      const marks = changes.filter(function (c) { return !hidden.has(c.kind) && c.t >= min && c.t <= max; })
        .map(function (c) { return marker(u, c); });
      layer.replaceChildren.apply(layer, marks);
      u.root.dataset.changesDrawn = String(marks.length);  // what tests and people can check
    }

    return {
      hooks: {
        init: [function (u) {
          layer = document.createElement("div");
          layer.className = "change-layer";
          u.over.appendChild(layer);
          u.root.dataset.changes = String(changes.length);
          plots.add(u);
          if (compact || !data || !data.investigate) return;
          u.over.addEventListener("click", function (event) {
            if (event.target.closest(".change-marker, .investigate-point")) return;
            const left = u.cursor.left;
            if (left != null && left >= 0) investigateAt(u, data, left);
          });
        }],
        draw: [place],
        destroy: [function (u) { plots.delete(u); }],
      },
    };
  }

  function syncToggles(root) {
    (root || document).querySelectorAll("[data-change-kind]").forEach(function (box) {
      box.checked = !hidden.has(box.value);
    });
    document.querySelectorAll("[data-change-mark]").forEach(function (mark) {
      mark.classList.toggle("change-hidden", hidden.has(mark.dataset.changeMark));
    });
  }

  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!box.matches || !box.matches("[data-change-kind]")) return;
    if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
    syncToggles(document);
    plots.forEach(function (u) { if (document.body.contains(u.root)) u.redraw(false, false); else plots.delete(u); });
    const url = new URL(window.location.href);
    if (hidden.size) url.searchParams.set("hide_changes", Array.from(hidden).sort().join(","));
    else url.searchParams.delete("hide_changes");
    window.history.replaceState(window.history.state, "", url);
  });
  // A small time series drawn here for pages whose vendor has no chart script of its own (a farm's running
  // servers on the incident page): [data-series-source] names a json_script block {times, values, label,
  // step, window, changes, investigate}.
  function drawSeries(el) {
    if (el.dataset.drawn || !window.uPlot) return;
    const source = document.getElementById(el.dataset.seriesSource);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const style = getComputedStyle(document.documentElement);
    const stroke = style.getPropertyValue("--pico-primary").trim() || "#0172ad";
    const time = window.consoleTime.uplot();
    const options = {
      width: Math.max(el.clientWidth, 200), height: parseInt(el.dataset.chartHeight || "180", 10), tzDate: time.tzDate,
      cursor: { drag: { x: false, y: false } },
      scales: { x: Object.assign({ time: true }, data.window ? { range: function () { return data.window; } } : {}) },
      axes: [time.xAxis, { size: 50 }],
      series: [time.xSeries, { label: data.label, stroke: stroke, width: 2, fill: stroke + "22",
        paths: data.step && window.uPlot.paths.stepped ? window.uPlot.paths.stepped({ align: 1 }) : undefined }],
      plugins: [plugin(data)],
    };
    el.dataset.drawn = "1";
    const u = new window.uPlot(options, [data.times, data.values], el);
    window.addEventListener("resize", function () {
      if (document.body.contains(el)) u.setSize({ width: Math.max(el.clientWidth, 200), height: u.height });
    });
  }

  function drawAll(root) { (root || document).querySelectorAll("[data-series-source]").forEach(drawSeries); }

  document.addEventListener("DOMContentLoaded", function () { syncToggles(document); drawAll(document); });
  document.addEventListener("htmx:load", function (event) { syncToggles(event.detail.elt); drawAll(event.detail.elt); });

  return { plugin: plugin, hidden: hidden, tooltip: tooltip, drawSeries: drawSeries };
})();
