// Referral form: when the receiving agency changes, tick the sections its kind gets by default.
// (Without this script the form still works: the defaults are then set when the page is opened for an agency.)
(function () {
  "use strict";
  var select = document.getElementById("to_agency");
  if (!select) { return; }
  var defaults = JSON.parse(select.getAttribute("data-defaults") || "{}");
  select.addEventListener("change", function () {
    var wanted = (defaults[select.value] || "identity").split(",");
    document.querySelectorAll('input[name="shared_sections"]').forEach(function (box) {
      box.checked = wanted.indexOf(box.value) !== -1;
    });
  });
}());
