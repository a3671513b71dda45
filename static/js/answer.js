// Progressive enhancement for survey pages: character counts, live display conditions, "other" fields and
// ranking buttons. Every page works without this file; the server repeats every check.
(function () {
  "use strict";

  function setupCounts(form) {
    form.querySelectorAll("[data-count]").forEach(function (input) {
      var out = document.getElementById(input.getAttribute("data-count"));
      if (!out) { return; }
      var template = out.getAttribute("data-template") || "{count}";
      function update() {
        var length = input.value.replace(/\r\n/g, "\n").length;
        out.textContent = template.replace("{count}", String(length));
      }
      out.hidden = false;
      // Announce only when typing pauses, so screen readers are not flooded.
      var timer = null;
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
      update();
    });
  }

  function chosenKeys(form, questionId) {
    var keys = [];
    form.querySelectorAll('[name="q' + questionId + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) { keys.push(input.value); }
    });
    return keys;
  }

  function setupConditions(form) {
    var dependents = form.querySelectorAll("[data-condition-question]");
    var shownInput = form.querySelector("[data-shown]");
    if (!dependents.length) { return; }
    function apply() {
      var shown = [];
      form.querySelectorAll("[data-question-id]").forEach(function (box) {
        var source = box.getAttribute("data-condition-question");
        if (source) {
          var wanted = (box.getAttribute("data-condition-keys") || "").split(" ");
          var parentBox = document.getElementById("question-" + source);
          var parentVisible = !parentBox || !parentBox.hidden;
          var met = parentVisible && chosenKeys(form, source).some(function (k) { return wanted.indexOf(k) !== -1; });
          box.hidden = !met;
          var note = box.querySelector(".condition-note");
          if (note) { note.hidden = true; }  // the question now appears exactly when it applies
        }
        if (!box.hidden) { shown.push(box.getAttribute("data-question-id")); }
      });
      if (shownInput) { shownInput.value = shown.join(" "); }
    }
    form.addEventListener("change", apply);
    apply();
  }

  function setupOther(form) {
    form.querySelectorAll("[data-other]").forEach(function (trigger) {
      var field = document.getElementById(trigger.getAttribute("data-other"));
      if (!field) { return; }
      function update() {
        var input = field.querySelector("input");
        field.hidden = !trigger.checked && !(input && input.value);
      }
      form.querySelectorAll('[name="' + trigger.name + '"]').forEach(function (i) { i.addEventListener("change", update); });
      update();
    });
  }

  function setupRanking(form) {
    form.querySelectorAll("[data-ranking]").forEach(function (group) {
      var list = group.querySelector(".rank-list");
      var status = group.querySelector("[data-rank-status]");
      var upLabel = group.getAttribute("data-up-label") || "↑";
      var downLabel = group.getAttribute("data-down-label") || "↓";
      function renumber(moved) {
        var items = list.querySelectorAll(".rank-item");
        items.forEach(function (item, index) { item.querySelector("select").value = String(index + 1); });
        if (moved && status) {
          var label = moved.querySelector("label").textContent.trim();
          var position = Array.prototype.indexOf.call(items, moved) + 1;
          status.textContent = (group.getAttribute("data-moved-template") || "{item}: {position}")
            .replace("{item}", label).replace("{position}", String(position));
        }
      }
      list.querySelectorAll(".rank-item").forEach(function (item) {
        var label = item.querySelector("label").textContent.trim();
        var buttons = document.createElement("div");
        buttons.className = "rank-buttons";
        [["up", upLabel], ["down", downLabel]].forEach(function (pair) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button small";
          button.textContent = pair[1];
          button.setAttribute("aria-label", pair[1] + ": " + label);
          button.addEventListener("click", function () {
            if (pair[0] === "up" && item.previousElementSibling) { list.insertBefore(item, item.previousElementSibling); }
            if (pair[0] === "down" && item.nextElementSibling) { list.insertBefore(item.nextElementSibling, item); }
            renumber(item);
            button.focus();
          });
          buttons.appendChild(button);
        });
        item.appendChild(buttons);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.answer-form").forEach(function (form) {
      setupCounts(form);
      setupOther(form);
      setupConditions(form);
      setupRanking(form);
    });
  });
})();
