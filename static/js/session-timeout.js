// Shared counter terminals: once the session has ended on the server (no request for the
// idle limit), load the page again so that the screen shows the sign-in page instead of
// the last customer's case. The server decides; this only asks it in time.
(function () {
  "use strict";

  var script = document.currentScript;
  var seconds = Number(script && script.dataset.idleSeconds);
  if (!seconds) {
    return;
  }
  var timer = null;

  function arm() {
    window.clearTimeout(timer);
    // A few seconds past the limit, so the server agrees the session is idle.
    timer = window.setTimeout(function () {
      // A GET of the same page (not reload(), which would repost a form).
      window.location.assign(window.location.pathname + window.location.search);
    }, (seconds + 5) * 1000);
  }

  // Every htmx call is a request too: it restarts the server's idle clock.
  document.body.addEventListener("htmx:afterRequest", arm);
  arm();
})();
