// Single-key shortcuts, listed in the overlay that "?" opens (templates/_partials/shortcuts.html).
// On only when the signed-in user has them on (<body data-shortcuts="on">). The overlay's
// links say where each key goes, so URLs live in one place: the template.
(function () {
  "use strict";
  var dialog = document.getElementById("shortcuts-dialog");
  if (document.body.dataset.shortcuts !== "on" || !dialog) {
    return;
  }
  var SEQUENCE_MS = 1500; // how long "g" waits for its second key
  var afterG = false;
  var gTimer = null;

  // Keys typed into a field are text, never commands.
  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return target.isContentEditable || !!target.closest("input, textarea, select, [contenteditable]");
  }

  function follow(name) {
    var link = dialog.querySelector('a[data-shortcut="' + name + '"]');
    if (!link) {
      return false;
    }
    window.location.assign(link.href);
    return true;
  }

  function focusSearch() {
    var box = document.getElementById("nav-search");
    if (!box) {
      return false;
    }
    var menu = box.closest(".navbar-collapse");
    if (box.offsetParent === null && menu && window.bootstrap) {
      // On a phone the search box may sit in the folded menu: open it, then focus.
      menu.addEventListener("shown.bs.collapse", function () { box.focus(); }, { once: true });
      window.bootstrap.Collapse.getOrCreateInstance(menu).show();
      return true;
    }
    box.focus();
    box.select();
    return true;
  }

  function focusSummary() {
    var summary = document.querySelector("#interaction-panel textarea[name=summary]");
    if (!summary) {
      return false;
    }
    summary.scrollIntoView({ block: "center" });
    summary.focus();
    return true;
  }

  function second(key) {
    afterG = false;
    window.clearTimeout(gTimer);
    return ["h", "c", "t"].indexOf(key) >= 0 && follow("g " + key);
  }

  function handle(key) {
    if (afterG) {
      return second(key);
    }
    switch (key) {
      case "g":
        afterG = true;
        gTimer = window.setTimeout(function () { afterG = false; }, SEQUENCE_MS);
        return true;
      case "?":
        window.bootstrap.Modal.getOrCreateInstance(dialog).show();
        return true;
      case "/":
        return focusSearch();
      case "n":
      case "a":
        return follow(key);
      case "l":
        return focusSummary();
      default:
        return false;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    // In a field, or while a dialog (this one included) has the keyboard: leave keys alone.
    if (typing(event.target) || document.querySelector(".modal.show")) {
      return;
    }
    if (handle(event.key)) {
      event.preventDefault();
    }
  });
})();
