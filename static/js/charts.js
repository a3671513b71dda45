// Draw the Plotly figures that civic/reports/charts.py serialised into data-figure attributes (htmx strips
// <script> blocks from swapped fragments). Progressive enhancement: every chart also has a summary sentence
// and a data table.
(function () {
  "use strict";

  // No mode bar: its buttons would be focusable inside an aria-hidden chart (the table is the accessible
  // version); hovering still shows the values.
  var CONFIG = {responsive: true, displaylogo: false, displayModeBar: false};

  function render(root) {
    if (!root || typeof window.Plotly === "undefined" || !root.querySelectorAll) {
      return;
    }
    var targets = Array.prototype.slice.call(root.querySelectorAll("[data-figure]"));
    if (root.hasAttribute && root.hasAttribute("data-figure")) {
      targets.push(root);
    }
    targets.forEach(function (target) {
      if (target.getAttribute("data-rendered") === "true") {
        return;
      }
      var figure;
      try {
        figure = JSON.parse(target.getAttribute("data-figure"));
      } catch (error) {
        return; // the table and summary remain
      }
      target.hidden = false;
      target.setAttribute("data-rendered", "true");
      window.Plotly.newPlot(target, figure.data || [], figure.layout || {}, CONFIG);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    render(document);
  });
  // htmx fires htmx:load for every swapped-in element (lazy panels, the polled counts, search results).
  document.addEventListener("htmx:load", function (event) {
    render(event.detail && event.detail.elt);
  });
})();
