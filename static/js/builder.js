// Survey builder and consultation form enhancements. Everything works without this file:
// "Move up"/"Move down" buttons are real forms, and every language's fields are shown.
(function () {
  "use strict";

  // Drag and drop with SortableJS; the new order is posted as comma-separated ids and the
  // server answers with the re-rendered fragment (or a message if the structure is locked).
  function initSortable(root) {
    if (typeof Sortable === "undefined" || typeof htmx === "undefined") {
      return;
    }
    var lists = root.querySelectorAll ? root.querySelectorAll("[data-sortable]") : [];
    Array.prototype.forEach.call(lists, function (list) {
      var handle = list.dataset.handle || ".drag-handle";
      if (list.dataset.sortableReady === "true" || !list.querySelector(handle)) {
        return;
      }
      list.dataset.sortableReady = "true";
      Sortable.create(list, {
        handle: handle,
        draggable: "[data-id]",
        animation: 150,
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) {
            return;
          }
          var ids = Array.prototype.filter.call(list.children, function (child) {
            return child.dataset && child.dataset.id;
          }).map(function (child) {
            return child.dataset.id;
          });
          htmx.ajax("POST", list.dataset.orderUrl, {
            source: list,
            target: list.dataset.target,
            swap: "outerHTML",
            values: { order: ids.join(",") }
          });
        }
      });
    });
  }

  // Show only the chosen languages' fields in the consultation form.
  function initLanguageToggles(root) {
    var form = root.querySelector ? root.querySelector("[data-language-form]") : null;
    if (!form) {
      return;
    }
    function update() {
      Array.prototype.forEach.call(form.querySelectorAll("[data-language-toggle]"), function (box) {
        var block = form.querySelector('[data-language="' + box.value + '"]');
        if (block) {
          block.hidden = !box.checked;
        }
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-language-toggle")) {
        update();
      }
    });
    update();
  }

  function init(root) {
    document.documentElement.classList.add("js-builder");
    initSortable(root);
    initLanguageToggles(root);
  }

  if (typeof htmx !== "undefined") {
    htmx.onLoad(init);  // runs for the page and for every swapped-in fragment
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  }
})();
