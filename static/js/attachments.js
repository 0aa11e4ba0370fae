// Photos and files on forms: the pickers, paste and drag and drop, and the size limits
// checked before anything is sent. Loaded as a file: the CSP forbids inline script.
//
// Every file chosen, photographed, pasted or dropped is kept in one DataTransfer and set
// on the "Choose files" input, so the form (htmx included) sends them all under one name.
// The server checks everything again; this only saves a wasted upload.
//
// The words come from the pickers' data-text-* attributes, rendered translated by
// attachments/_file_pickers.html; {name}, {size} and {limit} in them are filled in here.
(function () {
  "use strict";

  function fill(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function setUp(box) {
    if (box.dataset.ready) {
      return;
    }
    box.dataset.ready = "1";
    var maxFile = parseInt(box.dataset.maxFileBytes, 10);
    var maxTotal = parseInt(box.dataset.maxTotalBytes, 10);
    var maxFiles = parseInt(box.dataset.maxFiles, 10);
    var chooser = box.querySelector("[data-picker=files]");
    var camera = box.querySelector("[data-picker=camera]");
    var list = box.querySelector(".file-chosen");
    var problem = box.querySelector(".file-problem");
    var form = box.closest("form");
    var kept = new DataTransfer();

    function total() {
      var sum = 0;
      for (var i = 0; i < kept.files.length; i++) {
        sum += kept.files[i].size;
      }
      return sum;
    }

    function show(problems) {
      problem.textContent = problems.join(" ");
      problem.hidden = problems.length === 0;
    }

    function render() {
      list.textContent = "";
      Array.prototype.forEach.call(kept.files, function (file, index) {
        var item = document.createElement("li");
        item.className = "d-flex align-items-center gap-2";
        var label = document.createElement("span");
        label.textContent = file.name + " · " + sizeText(file.size);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-link btn-sm p-0";
        drop.textContent = box.dataset.textRemove;
        drop.setAttribute("aria-label", fill(box.dataset.textRemoveFile, { name: file.name }));
        drop.addEventListener("click", function () {
          var next = new DataTransfer();
          Array.prototype.forEach.call(kept.files, function (other, i) {
            if (i !== index) {
              next.items.add(other);
            }
          });
          kept = next;
          chooser.files = kept.files;
          render();
          show([]);
        });
        item.appendChild(label);
        item.appendChild(drop);
        list.appendChild(item);
      });
    }

    function add(files) {
      var problems = [];
      Array.prototype.forEach.call(files, function (file) {
        if (kept.files.length >= maxFiles) {
          problems.push(fill(box.dataset.textTooMany, { name: file.name }));
        } else if (file.size > maxFile) {
          problems.push(fill(box.dataset.textTooBig, {
            name: file.name, size: sizeText(file.size), limit: sizeText(maxFile)
          }));
        } else if (total() + file.size > maxTotal) {
          problems.push(fill(box.dataset.textOverTotal, { name: file.name, limit: sizeText(maxTotal) }));
        } else {
          kept.items.add(file);
        }
      });
      chooser.files = kept.files;
      camera.value = "";
      render();
      show(problems);
    }

    chooser.addEventListener("change", function () {
      // The picker replaced the input's files with the new choice: add those to the kept ones.
      var chosen = Array.prototype.slice.call(chooser.files);
      chooser.files = kept.files;
      add(chosen);
    });
    camera.addEventListener("change", function () {
      add(camera.files);
    });

    if (form) {
      form.addEventListener("paste", function (event) {
        var files = event.clipboardData && event.clipboardData.files;
        if (files && files.length) {
          event.preventDefault();
          add(files);
        }
      });
      form.addEventListener("dragover", function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
          form.classList.add("drag-over");
        }
      });
      form.addEventListener("dragleave", function (event) {
        if (event.target === form) {
          form.classList.remove("drag-over");
        }
      });
      form.addEventListener("drop", function (event) {
        form.classList.remove("drag-over");
        if (event.dataTransfer && event.dataTransfer.files.length) {
          event.preventDefault();
          add(event.dataTransfer.files);
        }
      });
    }
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("[data-attachments]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // htmx swaps in a fresh form after each logged interaction.
  document.body.addEventListener("htmx:load", function (event) {
    setUpAll(event.detail.elt.parentNode || document);
  });
})();
