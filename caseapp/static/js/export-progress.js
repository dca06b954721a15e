// The export page follows its job: while the file is being prepared it asks the status URL every two
// seconds and moves the progress bar (width, aria-valuenow, text); once the job has ended the page is
// loaded again, which shows the download (or why there is none). Served by the app: no inline script.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box) {
    return;
  }
  var running = { queued: true, running: true };
  if (!running[box.getAttribute("data-status")]) {
    return;
  }
  var bar = document.getElementById("export-bar");
  var fill = document.getElementById("export-bar-fill");
  var rows = document.getElementById("export-rows");
  var statusText = document.getElementById("export-status-text");
  var template = bar.getAttribute("data-text-template");

  function show(answer) {
    var total = answer.rows_total === null ? "?" : String(answer.rows_total);
    var text = template
      .replace("{percent}", String(answer.percent))
      .replace("{done}", String(answer.rows_done))
      .replace("{total}", total);
    fill.style.width = answer.percent + "%";
    bar.setAttribute("aria-valuenow", String(answer.percent));
    bar.setAttribute("aria-valuetext", text);
    rows.textContent = text;
    statusText.textContent = answer.status_label;
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        show(answer);
        if (running[answer.status]) {
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 10000); // the server is away for a moment: ask again later
      });
  }

  window.setTimeout(poll, 1000);
})();
