// CaseDesk behaviour. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  // After an interaction is logged through htmx, put the cursor back in the summary box
  // so the next contact can be typed at once.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "interaction-panel") {
      var summary = document.querySelector("#interaction-panel textarea[name=summary]");
      if (summary) {
        summary.focus();
      }
    }
  });

  // Ctrl+Enter (or Cmd+Enter) in the interaction summary saves it: type, then save,
  // without leaving the keyboard for the button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    var field = event.target;
    if (field && field.matches && field.matches("#interaction-form textarea")) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });
})();
