// Scalingo app page: CPU/memory charts (uPlot) and the live log tail (server-sent events).
(function () {
  "use strict";

  // -- charts --------------------------------------------------------------------------
  let chartTimer = null;

  function fmtBytes(v) {
    if (v == null) return "";
    const units = ["B", "KB", "MB", "GB"];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return v.toFixed(i ? 1 : 0) + " " + units[i];
  }

  // payload: the series answer, with the app's changes (static/js/changes.js draws them) and, for an
  // incident's window, the x range to show
  function chart(el, title, data, unit, payload) {
    const fmt = function (v) {
      if (unit === "%") return (Math.round(v * 10) / 10) + " %";
      if (unit === "rpm") return String(Math.round(v));
      return fmtBytes(v);
    };
    const width = Math.max(280, el.clientWidth - 8);
    const time = window.consoleTime.uplot();  // the console's one time format, in the page's zone
    const opts = {
      title: title, width: width, height: 200, tzDate: time.tzDate,
      series: [time.xSeries, { label: title, stroke: unit === "%" ? "#0172ad" : (unit === "rpm" ? "#059669" : "#7c3aed"), width: 2,
                    value: function (u, v) { return v == null ? "—" : fmt(v); } }],
      axes: [time.xAxis, { values: function (u, ticks) { return ticks.map(fmt); }, size: 70 }],
      plugins: window.consoleChanges ? [window.consoleChanges.plugin(payload)] : [],
    };
    if (payload.window) opts.scales = { x: { time: true, range: function () { return payload.window; } } };
    return new window.uPlot(opts, data, el);
  }

  function seriesQuery(box) {
    if (box.dataset.seriesStart) return "?start=" + box.dataset.seriesStart + "&end=" + box.dataset.seriesEnd;
    return "?hours=" + ((document.getElementById("stats-hours") || {}).value || "3");
  }

  function loadCharts(box) {
    box.dataset.requested = "1";
    fetch(box.dataset.seriesUrl + seriesQuery(box), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (payload) {
        box.replaceChildren();
        if (payload.error) {
          const p = document.createElement("p"); p.className = "error-text"; p.textContent = payload.error; box.appendChild(p);
        }
        const names = Object.keys(payload.series);
        if (!names.length && !payload.error) {
          const p = document.createElement("p"); p.className = "muted"; p.textContent = "No metrics yet."; box.appendChild(p);
        }
        names.forEach(function (name) {
          Object.keys(payload.series[name]).forEach(function (metric) {
            const holder = document.createElement("div");
            holder.className = "chart";
            holder.dataset.chart = name + "-" + metric;
            box.appendChild(holder);
            const titles = { cpu: name + " CPU", memory: name + " memory", requests: "Router requests per minute" };
            const units = { cpu: "%", memory: "B", requests: "rpm" };
            chart(holder, titles[metric], payload.series[name][metric], units[metric], payload);
          });
        });
        box.dataset.loaded = String(Date.now());
      })
      .catch(function () {
        box.replaceChildren();
        const p = document.createElement("p"); p.className = "error-text"; p.textContent = "Could not load the charts."; box.appendChild(p);
      });
  }

  function initCharts() {
    // an incident page's app stats: its window, drawn once
    document.querySelectorAll("[data-series-url][data-series-start]:not([data-requested])").forEach(loadCharts);
    const box = document.getElementById("stats-charts");
    if (chartTimer) { clearInterval(chartTimer); chartTimer = null; }
    if (!box || !window.uPlot) return;
    loadCharts(box);
    const every = parseInt(box.dataset.refreshSeconds || "30", 10) * 1000;
    chartTimer = setInterval(function () {
      if (!document.body.contains(box)) { clearInterval(chartTimer); chartTimer = null; return; }
      if (document.visibilityState === "visible") loadCharts(box);
    }, every);
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "stats-hours") initCharts();
  });

  // -- live tail -------------------------------------------------------------------------
  let source = null;

  function setStatus(text) {
    const status = document.getElementById("tail-status");
    if (status) status.textContent = text;
  }

  function stopTail(message) {
    const button = document.getElementById("tail-toggle");
    if (source) { source.close(); source = null; }
    if (button) { button.textContent = "Live tail"; button.setAttribute("aria-pressed", "false"); }
    if (message) setStatus(message);
  }

  function startTail(button) {
    const form = document.getElementById("logs-form");
    const filter = form ? form.querySelector("[name=filter]").value : "";
    const url = button.dataset.tailUrl + (filter ? "?filter=" + encodeURIComponent(filter) : "");
    source = new EventSource(url);
    button.textContent = "Pause";
    button.setAttribute("aria-pressed", "true");
    setStatus("Live: new lines appear below as they are written.");
    source.addEventListener("line", function (event) {
      const box = document.getElementById("log-box");
      if (!box) return;
      const empty = box.querySelector(".muted");
      if (empty) empty.remove();
      const holder = document.createElement("template");
      holder.innerHTML = JSON.parse(event.data);
      const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      box.appendChild(holder.content);
      while (box.childElementCount > 2000) box.firstElementChild.remove();
      if (nearBottom) box.scrollTop = box.scrollHeight;
    });
    source.addEventListener("notice", function (event) { setStatus(JSON.parse(event.data)); });
    source.addEventListener("failed", function (event) { stopTail("Live tail failed: " + JSON.parse(event.data)); });
    source.addEventListener("stopped", function (event) { stopTail(JSON.parse(event.data) + " Press Live tail to go on."); });
    source.addEventListener("refused", function (event) { stopTail(JSON.parse(event.data)); });
    source.onerror = function () { if (source && source.readyState === EventSource.CLOSED) stopTail("Live tail disconnected."); };
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("#tail-toggle");
    if (!button) return;
    if (source) stopTail("Paused."); else startTail(button);
  });

  // Tabs are swapped by htmx: (re)initialise what the new tab needs, stop what it left.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "tab-content") {
      if (!document.getElementById("tail-toggle")) stopTail();
      initCharts();
    }
  });
  document.addEventListener("DOMContentLoaded", initCharts);
  window.addEventListener("pagehide", function () { stopTail(); });
})();
