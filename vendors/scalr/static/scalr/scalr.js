// Scalr pages: the "Run a script" picker goes to the chosen script's run page; a monitoring graph
// that fails to load becomes a placeholder saying so (an error listener: the CSP forbids inline onerror).
(function () {
  "use strict";
  function graphUnavailable(img, reason) {
    const box = document.createElement("div");
    box.className = "graph-placeholder";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", (img.alt || "Graph") + ": unavailable");
    box.textContent = "Graph unavailable: " + reason;
    img.replaceWith(box);
  }
  // error events do not bubble: listen in the capture phase, for images swapped in by htmx too
  document.addEventListener("error", function (event) {
    const img = event.target;
    if (img instanceof HTMLImageElement && img.hasAttribute("data-graph")) {
      graphUnavailable(img, "the image failed to load.");
    }
  }, true);
  function checkGraphs(root) {  // images that failed before this script listened
    (root || document).querySelectorAll("img[data-graph]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) graphUnavailable(img, "the image failed to load.");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { checkGraphs(document); });
  document.addEventListener("htmx:load", function (event) { checkGraphs(event.detail.elt); });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-script-picker")) return;
    event.preventDefault();
    const select = form.querySelector("select");
    if (select && select.value) window.location.assign(select.value);
  });
})();
