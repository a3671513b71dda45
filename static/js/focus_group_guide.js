// Focus-group guide builder: show only the settings that the chosen kind of prompt uses.
// Without this file every setting is shown, each fieldset saying which kinds it is for.
(function () {
  "use strict";

  function update(form) {
    var select = form.querySelector("select[data-prompt-kind]");
    if (!select) {
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-kinds]"), function (block) {
      block.hidden = block.dataset.kinds.split(" ").indexOf(select.value) === -1;
    });
  }

  function init(root) {
    var forms = root.querySelectorAll ? root.querySelectorAll("form[data-prompt-form]") : [];
    Array.prototype.forEach.call(forms, function (form) {
      if (form.dataset.kindsReady === "true") {
        return;
      }
      form.dataset.kindsReady = "true";
      form.addEventListener("change", function (event) {
        if (event.target.hasAttribute("data-prompt-kind")) {
          update(form);
        }
      });
      update(form);
    });
  }

  if (typeof htmx !== "undefined") {
    htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  }
})();
