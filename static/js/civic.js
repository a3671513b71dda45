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
// An htmx request that gets no answer it can swap (base.html's responseHandling swaps none for 4xx/5xx other than
// 409/422, and a network failure has no answer at all) would otherwise change nothing on the page: say so, in the
// page's language, and keep what the resident typed. Only for what a person did (a click, a submit): polling
// tries again by itself and must not take the focus every second.
(function () {
  "use strict";
  var SWAPPED = {409: true, 422: true};  // answered with the form and its message
  function byPerson(detail) {
    var config = detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    return !!trigger && (trigger.type === "submit" || trigger.type === "click" || trigger.type === "change");
  }
  function show(detail, key) {
    var box = document.getElementById("request-error");
    if (!box || !byPerson(detail)) {
      return;
    }
    box.textContent = box.getAttribute("data-" + key);
    box.hidden = false;
    box.focus();
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (SWAPPED[status]) {
      return;
    }
    if (status === 502 || status === 503 || status === 504) {
      show(event.detail, "unavailable");
    } else if (status === 507) {
      show(event.detail, "storage-full");
    } else {
      show(event.detail, "failed");
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail, "unavailable");
  });
  document.addEventListener("htmx:afterSwap", function () {
    var box = document.getElementById("request-error");
    if (box && !box.hidden) {
      box.hidden = true;
    }
  });
})();
