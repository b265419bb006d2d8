// Scalyr pages: query cancellation, copy links, range inputs, the tail's line cap, uPlot charts.
// No inline scripts (CSP): data comes from data-* attributes and json_script blocks.
(function () {
  "use strict";

  // A cancelled query's answer is dropped rather than its request aborted: htmx 2 logs every abort
  // (htmx:sendAbort) as a console error, and a user's cancel is no error. Each explorer request is
  // tracked from beforeSend; an "htmx:abort" for it (ours, or hx-sync's replace) marks it dropped
  // and never reaches htmx's own listener.
  const QUERY = "[data-scalyr-query], form[data-explorer]";
  const inFlight = new Map();  // element -> its xhr
  const dropped = new WeakSet();

  document.addEventListener("htmx:beforeSend", function (event) {
    const elt = event.detail.elt;
    if (elt && elt.matches && elt.matches(QUERY)) inFlight.set(elt, event.detail.xhr);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (inFlight.get(event.detail.elt) === event.detail.xhr) inFlight.delete(event.detail.elt);
  });
  document.addEventListener("htmx:abort", function (event) {
    const elt = event.target;
    if (!(elt instanceof Element) || !elt.matches(QUERY)) return;
    if (inFlight.has(elt)) dropped.add(inFlight.get(elt));
    inFlight.delete(elt);
    event.stopImmediatePropagation();  // an explorer request is never aborted (see above)
  }, true);
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (dropped.has(event.detail.xhr)) event.detail.shouldSwap = false;
  });

  function abortQueries() {
    document.querySelectorAll("[data-scalyr-query]").forEach(function (el) {
      window.htmx.trigger(el, "htmx:abort");
    });
    document.querySelectorAll(".query-progress.htmx-request").forEach(function (el) {
      el.classList.remove("htmx-request");
    });
  }

  // A new query cancels whatever the previous one still has in flight (lines, histogram, facets, tail).
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-explorer]")) {
      if (inFlight.has(elt)) dropped.add(inFlight.get(elt));  // the previous query of the form, too
      abortQueries();
    }
  });

  document.addEventListener("click", function (event) {
    const cancel = event.target.closest("[data-scalyr-cancel]");
    if (cancel) {
      const form = cancel.closest("form");
      if (form) window.htmx.trigger(form, "htmx:abort");
      abortQueries();
      document.querySelectorAll(".loading-note").forEach(function (note) {
        note.textContent = "Cancelled. Press Search to run the query again.";
      });
      const error = document.getElementById("query-error");
      if (error) error.textContent = "Query cancelled.";
      return;
    }
    const copy = event.target.closest("[data-copy]");
    if (copy) copyText(copy.dataset.copy, copy);
  });

  function copyText(text, button) {
    const done = function () {
      const label = button.textContent;
      button.textContent = "Copied ✔";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text) && done(); });
    } else if (fallbackCopy(text)) {
      done();
    }
  }

  function fallbackCopy(text) {
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    field.remove();
    return ok;
  }

  // A preset range and From/To exclude each other: choosing one clears the other. Choosing
  // From/To starts from the window the page shows (in the console's time zone, from the server).
  document.addEventListener("change", function (event) {
    const target = event.target;
    const form = target.form;
    if (!form) return;
    if (target.matches("[data-range-select]") && target.value) {
      form.querySelectorAll("[data-absolute]").forEach(function (input) { input.value = ""; });
    } else if (target.matches("[data-range-select]")) {
      const shown = document.querySelector("[data-window-start]");
      const start = form.querySelector("[name=start]");
      const end = form.querySelector("[name=end]");
      if (shown && start && end && !start.value && !end.value && shown.dataset.windowStart) {
        start.value = shown.dataset.windowStart;
        end.value = shown.dataset.windowEnd;
      }
    } else if (target.matches("[data-absolute]") && target.value) {
      const select = form.querySelector("[data-range-select]");
      if (select) select.value = "";
    }
  });

  // An opened line shows all its fields; they come as one JSON block per answer (see log_lines).
  const fieldBlocks = new Map();
  function lineFields(reference) {
    const [id, index] = reference.split(":");
    if (!fieldBlocks.has(id)) {
      const block = document.getElementById(id);
      if (!block) return null;
      fieldBlocks.set(id, JSON.parse(block.textContent));
    }
    return fieldBlocks.get(id)[parseInt(index, 10)];
  }

  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    const line = details.closest("li[data-f]");
    if (!line || details.querySelector("dl.fields")) return;
    const fields = lineFields(line.dataset.f);
    if (!fields) return;
    const list = document.createElement("dl");
    list.className = "fields";
    Object.keys(fields).sort().forEach(function (name) {
      const term = document.createElement("dt");
      term.textContent = name;
      const value = document.createElement("dd");
      const raw = fields[name];
      value.textContent = raw === null ? "—" : (typeof raw === "object" ? JSON.stringify(raw) : String(raw));
      list.append(term, value);
    });
    details.appendChild(list);
  }, true);

  // The live tail keeps at most data-max-lines lines: the oldest go first.
  function capLines() {
    const list = document.getElementById("log-lines");
    if (!list) return;
    const max = parseInt(list.dataset.maxLines || "1000", 10);
    const oldestFirst = list.dataset.order === "oldest";
    const items = list.querySelectorAll(":scope > li");
    for (let excess = items.length - max, i = 0; excess > 0; excess--, i++) {
      items[oldestFirst ? i : items.length - 1 - i].remove();
    }
  }
  document.addEventListener("htmx:oobAfterSwap", capLines);

  // -- charts (uPlot) ----------------------------------------------------------------------
  const charts = [];

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw(el) {
    if (el.dataset.drawn || !window.uPlot) return;
    const source = document.getElementById(el.dataset.chartSource);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const compact = el.dataset.chartCompact === "1";
    const stroke = cssVar("--pico-primary", "#0172ad");
    const muted = cssVar("--pico-muted-color", "#7b8495");
    const grid = cssVar("--pico-muted-border-color", "#e7eaf0");
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const time = window.consoleTime.uplot(el.dataset.chartTz, axis);  // the console's one time format
    const options = {
      width: Math.max(el.clientWidth, 120),
      height: parseInt(el.dataset.chartHeight || "240", 10),
      tzDate: time.tzDate,
      legend: { show: !compact },
      cursor: { show: !compact, drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: compact ? [{ show: false }, { show: false }] : [time.xAxis, Object.assign({ size: 60 }, axis)],
      series: [time.xSeries, { label: data.label, stroke: stroke, width: 1.5, fill: stroke + "22", spanGaps: false,
                     points: { show: false } }],
    };
    if (compact) options.padding = [4, 0, 0, 0];
    if (window.consoleChanges && data.changes) {  // the changes of the chart's apps and farms (js/changes.js)
      options.plugins = [window.consoleChanges.plugin(data, { compact: compact })];
    }
    const columns = [data.times, data.values];
    if (typeof data.threshold === "number") {  // a saved chart's alert threshold: a dashed line
      const danger = cssVar("--console-danger", "#b42318");
      options.series.push({ label: data.threshold_label || "threshold", stroke: danger, width: 1, dash: [6, 4],
                            points: { show: false } });
      columns.push(data.times.map(function () { return data.threshold; }));
      el.dataset.threshold = String(data.threshold);  // drawn: what tests and styles can see
    }
    el.dataset.drawn = "1";
    charts.push({ el: el, plot: new window.uPlot(options, columns, el) });
  }

  function drawAll(root) {
    for (let i = charts.length - 1; i >= 0; i--) {  // charts swapped out by a refresh
      if (!document.body.contains(charts[i].el)) { charts[i].plot.destroy(); charts.splice(i, 1); }
    }
    (root || document).querySelectorAll("[data-chart-source]").forEach(draw);
  }

  document.addEventListener("htmx:load", function (event) { drawAll(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });

  let resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      for (let i = charts.length - 1; i >= 0; i--) {
        const entry = charts[i];
        if (!document.body.contains(entry.el)) { entry.plot.destroy(); charts.splice(i, 1); continue; }
        entry.plot.setSize({ width: Math.max(entry.el.clientWidth, 120), height: entry.plot.height });
      }
    }, 150);
  });
})();
