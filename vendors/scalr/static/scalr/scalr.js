// Scalr pages: the "Run a script" picker goes to the chosen script's run page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-script-picker")) return;
    event.preventDefault();
    const select = form.querySelector("select");
    if (select && select.value) window.location.assign(select.value);
  });
})();
