// Irreversible steps ask first: a form with data-confirm="<question>" is sent only after the person
// confirms. Served by the app (no inline script, so the CSP allows it); the server still decides.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
