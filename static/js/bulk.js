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
  // "3 cases selected." in the page's language, from templates/_partials/js_strings.html:
  // the sentence for a few sample counts, one of each plural form. A count takes the
  // sentence of the sample with the same plural form (Polish: 2 and 22 alike, 5 and 25
  // alike), with its own number in place of the sample's.
  var texts = document.getElementById("bulk-count-texts");
  var samples = texts ? Array.prototype.slice.call(texts.content.querySelectorAll("[data-count]")) : [];
  var rules = null;
  try {
    rules = new Intl.PluralRules(texts ? texts.dataset.lang : undefined);
  } catch (error) {
    rules = null; // a language tag this browser cannot read: one and other, as in English
  }
  var last = null; // the box ticked or unticked last: one end of a Shift-click range

  function pluralForm(n) {
    return rules ? rules.select(n) : (n === 1 ? "one" : "other");
  }

  function selectedText(ticked) {
    var same = samples.filter(function (sample) {
      return Number(sample.dataset.count) === ticked;
    })[0] || samples.filter(function (sample) {
      return pluralForm(Number(sample.dataset.count)) === pluralForm(ticked);
    })[0];
    if (!same) {
      return String(ticked);
    }
    var number = new RegExp("(^|\\D)" + same.dataset.count + "(?!\\d)");
    return same.textContent.replace(number, function (whole, before) {
      return before + ticked;
    });
  }

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    if (count) {
      count.textContent = ticked ? selectedText(ticked) : hint;
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
