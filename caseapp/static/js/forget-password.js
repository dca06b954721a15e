// A form with data-forget-password must not keep its password once sent (a download leaves the page as it
// was; the back button can bring a page back from the cache): once the form is on its way, its password
// fields are emptied, and the next export needs the password typed again.
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
