// The waiting page of a push (PASS app or simple certification): poll the session's status every
// 2 seconds and, once the request is no longer pending, submit the continue form, which does the
// same as the "I approved it, continue" button. Without JavaScript the button alone works.
(function () {
  "use strict";
  var box = document.querySelector("[data-push-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-push-status-url");
  var form = document.getElementById(box.getAttribute("data-push-form"));
  var notice = box.querySelector(".portal-push-status");
  var intervalMs = 2000;
  // Stop after 6 minutes (the longest request lives 5): the button still works after that.
  var deadline = Date.now() + 6 * 60 * 1000;
  if (notice) { notice.hidden = false; }

  function poll() {
    if (Date.now() > deadline) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { status: "unknown" }; })
      .then(function (data) {
        if (data.status === "pending") {
          window.setTimeout(poll, intervalMs);
        } else if (form && data.status !== "unknown") {
          form.submit();
        }
      })
      .catch(function () { window.setTimeout(poll, intervalMs * 2); });
  }
  window.setTimeout(poll, intervalMs);
})();
