// Search as you type: the WAI-ARIA combobox pattern over a listbox that htmx fills.
//
// The input keeps the focus; the arrow keys move aria-activedescendant through the
// options, Enter follows the active option (or submits the search when none is active),
// Escape closes the list. htmx fetches the options (debounced in the markup) and puts
// the count in a polite live region. In picking mode (data-typeahead-pick names a hidden
// input) choosing a customer fills that input instead of leaving the page.
(function () {
  "use strict";

  function listFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function setActive(input, option) {
    var list = listFor(input);
    options(list).forEach(function (each) {
      each.classList.remove("active");
      each.setAttribute("aria-selected", "false");
    });
    if (option) {
      option.classList.add("active");
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(input, show) {
    var list = listFor(input);
    var has = show && options(list).length > 0;
    list.hidden = !has;
    input.setAttribute("aria-expanded", has ? "true" : "false");
    if (!has) {
      setActive(input, null);
    }
  }

  function pick(input, option) {
    // Picking mode: the customer becomes the form's customer, the page stays.
    var target = document.getElementById(input.dataset.typeaheadPick);
    var chosen = document.getElementById(input.dataset.typeaheadChosen);
    target.value = option.dataset.customerId;
    chosen.querySelector("[data-chosen-name]").textContent = option.dataset.customerName;
    var details = chosen.querySelector("[data-chosen-details]");
    // The option's flags, number and open case, without its name (shown just before).
    var copy = option.cloneNode(true);
    copy.querySelectorAll(".typeahead-name").forEach(function (name) {
      name.remove();
    });
    var plain = document.createElement("span");
    while (copy.firstChild) {
      plain.appendChild(copy.firstChild);
    }
    details.replaceChildren(plain);
    chosen.hidden = false;
    // Fields typed for a new customer stay in sight: the server then asks which is meant
    // rather than dropping them unseen.
    document.querySelectorAll("[data-new-customer]").forEach(function (part) {
      var typed = Array.prototype.some.call(part.querySelectorAll("input"), function (field) {
        return field.type !== "checkbox" && field.type !== "hidden" && field.value.trim() !== "";
      });
      part.hidden = !typed;
    });
    input.closest("[data-customer-search]").hidden = true;
    open(input, false);
    var next = document.getElementById(input.dataset.typeaheadNext);
    if (next) {
      next.focus();
    }
  }

  function follow(input, option) {
    if (input.dataset.typeaheadPick && option.dataset.customerId) {
      pick(input, option);
    } else {
      option.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-typeahead]")) {
      return;
    }
    var list = listFor(input);
    var all = options(list);
    var current = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    var index = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) {
        return;
      }
      event.preventDefault();
      open(input, true);
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
      setActive(input, all[next]);
    } else if (event.key === "Enter" && current && !list.hidden) {
      event.preventDefault();
      follow(input, current);
    } else if (event.key === "Enter" && input.dataset.typeaheadPick) {
      // In a form, Enter in the finder never submits the form: it picks the only or
      // first customer shown, if any.
      event.preventDefault();
      if (all.length) {
        follow(input, all[0]);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        open(input, false);
      }
    }
  });

  // A click (or tap) on an option in picking mode picks; elsewhere the link is followed.
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[role=option]");
    if (option) {
      var list = option.closest("[role=listbox]");
      var input = list && document.querySelector("[aria-controls='" + list.id + "']");
      if (input && input.dataset.typeaheadPick && option.dataset.customerId) {
        event.preventDefault();
        pick(input, option);
      }
      return;
    }
    document.querySelectorAll("[data-typeahead][aria-expanded=true]").forEach(function (input) {
      if (!input.parentElement.contains(event.target)) {
        open(input, false);
      }
    });
  });

  // Options keep the focus in the input when pressed with a mouse.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[role=listbox] [role=option]")) {
      event.preventDefault();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") {
      return;
    }
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    if (input) {
      setActive(input, null); // the options are new: none is chosen yet
      open(input, document.activeElement === input && input.value.trim().length >= 2);
    }
  });

  // "change" beside a picked customer: back to finding one, nothing else lost.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-change-customer]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.dataset.changeCustomer);
    if (!input) {
      return; // no search box on this page: the button submits and the server re-renders
    }
    event.preventDefault();
    document.getElementById(input.dataset.typeaheadPick).value = "";
    document.getElementById(input.dataset.typeaheadChosen).hidden = true;
    document.querySelectorAll("[data-new-customer]").forEach(function (part) {
      part.hidden = false;
    });
    input.closest("[data-customer-search]").hidden = false;
    input.value = "";
    input.focus();
  });
})();
