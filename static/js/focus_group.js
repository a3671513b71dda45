// Focus-group participant page, enhanced with htmx. Everything works without this file: the stage polls by its
// hx-* attributes, and without JavaScript the "Check for the next question" button reloads the page.
(function () {
  "use strict";
  var lastAnnounced = "";
  // Text typed into an open answer but not sent when the moderator moves on: shown again after the swap, so a
  // participant never loses what they wrote (the answer itself can no longer be sent to a closed question).
  var unsent = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var stage = document.getElementById("fg-stage");
    unsent = null;
    if (!stage || !event.detail.target || event.detail.target.id !== "fg-stage") {
      return;
    }
    var field = stage.querySelector("textarea[name='text']");
    if (field && field.value.trim() && field.value !== field.defaultValue) {
      unsent = {prompt: stage.getAttribute("data-prompt"), text: field.value};
    }
  });
  function showUnsent(stage) {
    if (!unsent || stage.getAttribute("data-prompt") === unsent.prompt) {
      return;
    }
    var box = document.createElement("div");
    box.className = "card notice fg-unsent";
    box.setAttribute("role", "status");
    var label = document.createElement("p");
    label.textContent = stage.getAttribute("data-unsent-label") || "";
    var text = document.createElement("blockquote");
    text.textContent = unsent.text;
    box.appendChild(label);
    box.appendChild(text);
    stage.insertBefore(box, stage.firstChild);
    unsent = null;
  }
  // A swap of the stage: announce a new question (or the end) once, and after a refused answer move focus to
  // the message so screen readers read it. A poll that changes nothing answers 204 and never gets here.
  document.addEventListener("htmx:afterSwap", function (event) {
    var stage = document.getElementById("fg-stage");
    if (!stage || !event.detail.target || event.detail.target.id !== "fg-stage") {
      return;
    }
    showUnsent(stage);
    var error = stage.querySelector(".error-summary");
    if (error) {
      error.focus();
      return;
    }
    var config = event.detail.requestConfig;
    var saved = stage.querySelector(".fg-saved");
    if (config && config.verb === "post" && saved) {
      saved.focus();  // the participant's own post: say it was saved
      return;
    }
    var announcer = document.getElementById("fg-announce");
    var text = stage.getAttribute("data-announce") || "";
    if (announcer && text && text !== lastAnnounced) {
      announcer.textContent = text;
      lastAnnounced = text;
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var stage = document.getElementById("fg-stage");
    lastAnnounced = stage ? stage.getAttribute("data-announce") || "" : "";
    // With JavaScript the stage follows the session by itself; the manual check is for pages without it.
    document.querySelectorAll(".fg-check").forEach(function (element) {
      element.classList.add("fg-check-js");
    });
  });
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    if (root && root.querySelectorAll) {
      root.querySelectorAll(".fg-check").forEach(function (element) {
        element.classList.add("fg-check-js");
      });
    }
  });
  // A vote on another participant's answer swaps that answer's item, and the pressed button with it: put focus
  // back on the new pressed button, so keyboard and screen-reader users stay at the answer.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("fg-vote-") !== 0) {
      return;
    }
    var pressed = document.querySelector("#" + target.id + " button[aria-pressed='true']");
    if (pressed) {
      pressed.focus();
    }
  });
})();
