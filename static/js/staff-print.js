// The Print button of the counter confirmation: shown only when scripts run, it opens the browser's
// print dialogue (staff-print.css decides what goes on paper). No inline script: the CSP forbids it.
(function () {
  "use strict";
  document.querySelectorAll("[data-staff-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
