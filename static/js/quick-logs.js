// Quick logs: one tap fills the interaction form from the button's data attributes; the
// user edits and saves as usual. Delegated from the document, so it keeps working after
// htmx swaps the panel in again. Without JS the button is a link that re-renders the form
// filled in by the server.
(function () {
  "use strict";

  function set(form, name, value) {
    var field = form.querySelector("[name=" + name + "]");
    if (!field || value === undefined || value === "") {
      return;
    }
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-quick-log]") : null;
    var form = document.getElementById("interaction-form");
    if (!button || !form) {
      return;
    }
    event.preventDefault();
    set(form, "channel", button.dataset.channel);
    set(form, "minutes", button.dataset.minutes);
    set(form, "demeanour", button.dataset.demeanour);
    set(form, "summary", button.dataset.summary);
    var summary = form.querySelector("[name=summary]");
    if (summary) {
      // Ready to edit: the cursor at the end of the filled text.
      summary.focus();
      summary.setSelectionRange(summary.value.length, summary.value.length);
    }
    var status = document.getElementById("quick-log-status");
    // The words, in the page's language, from templates/_partials/js_strings.html.
    var strings = document.getElementById("js-strings");
    if (status && strings) {
      var label = button.textContent.trim();
      status.textContent = strings.dataset.textQuickLogFilled.replace("{label}", function () {
        return label;
      });
    }
  });
})();
