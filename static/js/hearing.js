// Hearing pages, enhanced with htmx. Everything works without this file (plain forms and redirects).
(function () {
  "use strict";
  // htmx leaves 400/403/404 answers unswapped (see base.html's responseHandling). The comments region answers
  // them with the form and a message (a forged cookie, a reply to a removed comment), so show those too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 403 || status === 404) && target && target.id === "comments") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After the region is swapped, move focus to its error summary or notice so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = document.getElementById("comments");
    if (!region || !event.detail.target || event.detail.target.id !== "comments") {
      return;
    }
    var focus = region.querySelector(".error-summary") || region.querySelector("#comments-notice");
    if (focus) {
      focus.focus();
    }
  });
})();
