// Progressive enhancement shared by every page. Pages work without this file.
(function () {
  "use strict";
  // Move focus to the first error after a failed submit so keyboard and screen-reader users find it.
  document.addEventListener("DOMContentLoaded", function () {
    var firstError = document.querySelector(".has-error input, .has-error textarea, .has-error select, .error-summary");
    if (firstError && typeof firstError.focus === "function") {
      firstError.focus();
    }
  });
})();
