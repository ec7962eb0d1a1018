// The countdown of a verification code (valid 3 minutes). The server decides; this only shows it.
(function () {
  "use strict";
  var timer = document.querySelector("[data-expires-in]");
  if (!timer) { return; }
  var output = timer.querySelector(".portal-code-remaining");
  if (!output) { return; }
  var deadline = Date.now() + parseInt(timer.getAttribute("data-expires-in"), 10) * 1000;
  function show() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var seconds = left % 60;
    output.textContent = Math.floor(left / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left === 0) {
      timer.textContent = timer.getAttribute("data-expired-text");
      timer.setAttribute("role", "alert");
      return;
    }
    window.setTimeout(show, 1000);
  }
  show();
})();
