// The visible idle countdown of a journey page (the server ends the session after 10 minutes idle).
(function () {
  "use strict";
  var timer = document.querySelector("[data-session-seconds]");
  if (!timer) { return; }
  var remaining = parseInt(timer.getAttribute("data-session-seconds"), 10);
  var output = timer.querySelector(".portal-session-remaining");
  var deadline = Date.now() + remaining * 1000;
  function show() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    output.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left === 0) {
      timer.classList.add("portal-session-ended");
      output.textContent = timer.getAttribute("data-expired-text");
      output.setAttribute("role", "alert");
      return;
    }
    window.setTimeout(show, 1000);
  }
  show();
})();
