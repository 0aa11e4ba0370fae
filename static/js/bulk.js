// Bulk actions on the case list: select-all for the page, Shift-click for a range, and
// `x` to tick the row that has the focus. The form works without this file; it only makes
// selecting quicker and says how many are ticked.
(function () {
  "use strict";

  var form = document.getElementById("bulk-actions");
  if (!form) {
    return;
  }
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll('input[type=checkbox][name=case][form="bulk-actions"]')
  );
  var all = document.querySelector("input[data-select-all]");
  var count = document.getElementById("bulk-count");
  var hint = count ? count.textContent : "";
  var last = null; // the box ticked or unticked last: one end of a Shift-click range

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    if (count) {
      count.textContent = ticked
        ? ticked + (ticked === 1 ? " case selected." : " cases selected.")
        : hint;
    }
    if (all) {
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  boxes.forEach(function (box) {
    box.addEventListener("click", function (event) {
      if (event.shiftKey && last && last !== box) {
        var from = boxes.indexOf(last);
        var to = boxes.indexOf(box);
        var low = Math.min(from, to);
        var high = Math.max(from, to);
        for (var i = low; i <= high; i += 1) {
          boxes[i].checked = box.checked;
        }
      }
      last = box;
      update();
    });
  });

  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      last = null;
      update();
    });
  }

  // Typing in a field (search box, filters, the bulk bar's selects) must never tick a row.
  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") {
      return true;
    }
    return tag === "input" && target.type !== "checkbox" && target.type !== "radio";
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "x" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var row = event.target.closest ? event.target.closest("tr") : null;
    var box = row ? row.querySelector('input[type=checkbox][name=case]') : null;
    if (!box) {
      return;
    }
    event.preventDefault();
    box.checked = !box.checked;
    last = box;
    update();
  });

  update();
})();
