// Console behaviour without inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Confirmation dialog: forms with data-confirm open it; "Confirm" submits the form.
  let pendingForm = null;
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
    box.showModal();
    ok.focus();
  }, true);

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
    if (document.visibilityState === "hidden" && event.detail.requestConfig &&
        event.detail.requestConfig.triggeringEvent == null && event.target.hasAttribute("data-live")) {
      event.preventDefault();
    }
  });
  // When the tab comes back, refresh live regions at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && window.htmx) {
      document.querySelectorAll("[data-live]").forEach(function (el) { window.htmx.trigger(el, "live-refresh"); });
    }
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
