// A form with data-forget-password answers with a download, so the page stays as it was: once the form
// is on its way, its password fields are emptied, and a second download needs the password typed again.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-forget-password")) {
      return;
    }
    window.setTimeout(function () {
      form.querySelectorAll("input[type=password]").forEach(function (field) {
        field.value = "";
      });
    }, 0);
  });
})();
