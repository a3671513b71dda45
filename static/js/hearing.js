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
  // Voting on statements swaps the whole card, and with it the button that had focus: give focus to the next
  // statement's first vote button (described by the statement, so screen readers read it out), or to the heading
  // once every statement is voted on, so keyboard users carry on where they were instead of at the top.
  // After settling, not after swapping: until then htmx keeps the old heading's attributes on the new one (it
  // has the same id), and the old one has no tabindex, so it could not take focus yet.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "statement-card") {
      return;
    }
    var card = document.getElementById("statement-card");
    var next = card && (card.querySelector(".statement-vote button") || card.querySelector("#statement-heading"));
    if (next) {
      next.focus();
    }
  });
  // A vote swaps its comment's buttons, and the pressed button with them: put focus back on the new pressed one,
  // so keyboard and screen-reader users stay at the comment and hear its new state. After settling: htmx wires
  // up the new form only then, and a button pressed before that would send a plain form and reload the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("votes-") !== 0) {
      return;
    }
    var pressed = document.querySelector("#" + target.id + " button[aria-pressed='true']");
    if (pressed) {
      pressed.focus();
    }
  });
})();
