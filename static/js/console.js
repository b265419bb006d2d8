// Console behaviour without inline scripts (the CSP forbids them).

// consoleTime: THE way JavaScript writes a moment, the same text as console/moments.py writes on the
// server: 24-hour, ISO-like ("2026-12-07 14:02", with ":33" seconds or ".187" ms when asked), in the
// page's time zone (<body data-time-zone>, named once in the footer). uPlot charts take their x axis,
// legend and tzDate from consoleTime.uplot(); never toLocale*(), whose format follows the browser.
window.consoleTime = (function () {
  "use strict";
  const formatters = {};
  function zone(tz) { return tz || (document.body && document.body.dataset.timeZone) || "UTC"; }
  function parts(seconds, tz) {
    const name = zone(tz);
    if (!formatters[name]) {
      formatters[name] = new Intl.DateTimeFormat("en-GB", {
        timeZone: name, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit" });
    }
    const out = {};
    formatters[name].formatToParts(new Date(seconds * 1000)).forEach(function (p) { out[p.type] = p.value; });
    out.ms = String(Math.floor(((seconds * 1000) % 1000 + 1000) % 1000)).padStart(3, "0");
    return out;
  }
  // precision: "day", "minutes" (default), "seconds", "ms"; "time" and "time-seconds" drop the date (axis ticks).
  function format(seconds, precision, tz) {
    if (seconds == null || isNaN(seconds)) return "—";
    const p = parts(seconds, tz);
    const day = p.year + "-" + p.month + "-" + p.day;
    const hm = p.hour + ":" + p.minute;
    switch (precision) {
      case "day": return day;
      case "time": return hm;
      case "time-seconds": return hm + ":" + p.second;
      case "seconds": return day + " " + hm + ":" + p.second;
      case "ms": return day + " " + hm + ":" + p.second + "." + p.ms;
      default: return day + " " + hm;
    }
  }
  // Ticks of a time axis: the time alone when the whole range lies within one day (as Grafana does),
  // else the date over the time; seconds only when ticks are less than a minute apart.
  function axisValues(tz) {
    return function (u, splits, axisIdx, space, incr) {
      const scale = u.scales.x;
      const oneDay = scale.min != null && format(scale.min, "day", tz) === format(scale.max, "day", tz);
      const time = incr < 60 ? "time-seconds" : "time";
      return splits.map(function (s) {
        if (incr >= 86400) return format(s, "day", tz);
        return oneDay ? format(s, time, tz) : format(s, "day", tz) + "\n" + format(s, time, tz);
      });
    };
  }
  // The legend's moment: seconds when the point is not on a whole minute.
  function legendValue(tz) {
    return function (u, seconds) {
      if (seconds == null) return "—";
      return format(seconds, Math.round(seconds) % 60 ? "seconds" : "minutes", tz);
    };
  }
  // What a uPlot chart with a time x axis takes: tzDate (ticks on the zone's whole hours), the x series'
  // legend value and the x axis' tick labels. `axis` is merged into the x axis (stroke, grid...).
  function uplot(tz, axis) {
    const name = zone(tz);
    return {
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1e3), name); },
      xSeries: { value: legendValue(name) },
      xAxis: Object.assign({ values: axisValues(name), space: 60 }, axis || {}),
    };
  }
  return { format: format, zone: zone, axisValues: axisValues, legendValue: legendValue, uplot: uplot };
})();

(function () {
  "use strict";

  // Confirmation dialog: forms with data-confirm open it; "Confirm" submits the form.
  // Tab and Shift+Tab stay inside it while it is open; closing it returns focus to what opened it.
  let pendingForm = null;
  let opener = null;
  const dialog = () => document.getElementById("confirm-dialog");

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed === "1") return;
    event.preventDefault();
    event.stopPropagation();  // htmx must not see it until confirmed
    pendingForm = form;
    const box = dialog();
    box.querySelector("#confirm-title").textContent = form.dataset.confirmTitle || "Please confirm";
    box.querySelector("#confirm-text").textContent = form.dataset.confirm;
    const details = box.querySelector("#confirm-details");
    details.replaceChildren();
    if (form.dataset.confirmDetails) {
      const source = document.querySelector(form.dataset.confirmDetails);
      if (source) details.appendChild(source.content ? source.content.cloneNode(true) : source.cloneNode(true));
    }
    const ok = box.querySelector("#confirm-ok");
    ok.textContent = form.dataset.confirmButton || "Confirm";
    ok.classList.toggle("danger", form.dataset.confirmDanger === "1");
    opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body
      ? document.activeElement : form.querySelector("[type=submit], button:not([type=button])");
    if (!box.dataset.focusReturn) {
      box.dataset.focusReturn = "1";
      box.addEventListener("close", function () {
        if (opener && opener.isConnected) opener.focus();
        opener = null;
      });
    }
    box.showModal();
    ok.focus();
  }, true);

  document.addEventListener("keydown", function (event) {
    const box = dialog();
    if (event.key !== "Tab" || !box || !box.open) return;
    const stops = Array.from(box.querySelectorAll("a[href], button:not([disabled]), input:not([disabled]), select, textarea"));
    if (!stops.length) return;
    const first = stops[0], last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  document.addEventListener("click", function (event) {
    const box = dialog();
    if (!box) return;
    if (event.target.closest("[data-confirm-cancel]")) {
      pendingForm = null;
      box.close();
    } else if (event.target.closest("[data-confirm-ok]") && pendingForm) {
      const form = pendingForm;
      pendingForm = null;
      box.close();
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      delete form.dataset.confirmed;
    }
  });

  // Loading bar for full-page navigations too (htmx requests set body.htmx-request).
  window.addEventListener("beforeunload", function () {
    const bar = document.getElementById("loading-bar");
    if (bar) bar.classList.add("active");
  });

  // Live refresh pauses while the tab is hidden: polling elements carry
  // hx-trigger="every Ns [document.visibilityState === 'visible']" would need eval,
  // so instead we cancel htmx polling requests while hidden.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.visibilityState === "hidden" && event.target.hasAttribute && event.target.hasAttribute("data-live")) {
      event.preventDefault();  // nobody is looking: skip this refresh
    }
  });
  // An action settled: every live region re-reads what it changed now, so no badge contradicts it
  // (the farm card would otherwise wait for its next poll, up to 15 s).
  document.addEventListener("action-succeeded", function () {
    if (!window.htmx) return;
    document.querySelectorAll("[data-live]").forEach(function (el) { window.htmx.trigger(el, "live-refresh"); });
  });
  // When the tab comes back, refresh live regions at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && window.htmx) {
      document.querySelectorAll("[data-live]").forEach(function (el) { window.htmx.trigger(el, "live-refresh"); });
    }
  });
  // Global search: "/" focuses it; arrows move through results; Escape closes them.
  function searchResults() { return document.getElementById("global-search-results"); }
  function resultLinks() { const box = searchResults(); return box ? Array.from(box.querySelectorAll("a.search-result")) : []; }
  document.addEventListener("keydown", function (event) {
    const input = document.getElementById("global-search");
    if (!input) return;
    const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.metaKey && !event.ctrlKey) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    const inSearch = event.target === input || (searchResults() && searchResults().contains(event.target));
    if (!inSearch) return;
    const links = resultLinks();
    const index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (index <= 0) input.focus(); else links[index - 1].focus();
    } else if (event.key === "Escape") {
      const box = searchResults();
      if (box) box.hidden = true;
      input.focus();
    } else if (event.key === "Enter" && event.target === input && links.length) {
      event.preventDefault();
      window.location.href = links[0].href;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "global-search-results") {
      event.target.hidden = !document.getElementById("global-search").value.trim();
    }
  });
  document.addEventListener("click", function (event) {
    const box = searchResults();
    if (box && !event.target.closest(".global-search")) box.hidden = true;
  });

  // Do not replace a live region while the user is typing in it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-live") && target.contains(document.activeElement) &&
        document.activeElement.matches("input, textarea, select")) {
      event.detail.shouldSwap = false;
    }
  });
})();
