// Referral form: when the receiving agency changes, tick the sections its kind gets by default.
// (Without this script the form still works: the defaults are then set when the page is opened for an agency.)
(function () {
  "use strict";
  var select = document.getElementById("to_agency");
  if (!select) { return; }
  var defaults = JSON.parse(select.getAttribute("data-defaults") || "{}");
  function tickDefaults() {
    var wanted = (defaults[select.value] || "identity").split(",");
    document.querySelectorAll('input[name="shared_sections"]').forEach(function (box) {
      box.checked = wanted.indexOf(box.value) !== -1;
    });
  }
  select.addEventListener("change", tickDefaults);
  // The script loads last: a receiver chosen before it ran (a quick hand, or the browser restoring the
  // form) fired its change event unheard. The option the server rendered as chosen keeps its boxes as
  // rendered (a refused form keeps what the user ticked).
  var chosen = select.options[select.selectedIndex];
  if (select.value && chosen && !chosen.defaultSelected) { tickDefaults(); }
}());
