// Public report: fold each chart's data table once the chart can be drawn (without JS, and when printing, the
// tables stay open), make wide tables reachable by keyboard, and size the charts for paper when printing.
(function () {
  "use strict";

  var PRINT_WIDTH = 680; // px: an A4 page's text width at 96 dpi

  function printing() {
    return Boolean(window.matchMedia && window.matchMedia("print").matches);
  }

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  // A table wider than the screen scrolls sideways; keyboard users must be able to focus it to scroll.
  function markScrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".report")) {
      return;
    }
    if (typeof window.Plotly !== "undefined" && !printing()) {
      each(".report .chart-figure details[open]", function (details) {
        details.open = false;
        details.setAttribute("data-folded", "true");
      });
    }
    each(".report .table-scroll", markScrollable);
    each(".report details", function (details) {
      details.addEventListener("toggle", function () {
        Array.prototype.forEach.call(details.querySelectorAll(".table-scroll"), markScrollable);
      });
    });
  });

  window.addEventListener("beforeprint", function () {
    each(".report details[data-folded]", function (details) {
      details.open = true;
    });
    if (typeof window.Plotly !== "undefined") {
      each(".report .chart[data-rendered]", function (chart) {
        window.Plotly.relayout(chart, {width: Math.min(chart.clientWidth, PRINT_WIDTH)});
      });
    }
  });

  window.addEventListener("afterprint", function () {
    each(".report details[data-folded]", function (details) {
      details.open = false;
    });
    if (typeof window.Plotly !== "undefined") {
      each(".report .chart[data-rendered]", function (chart) {
        window.Plotly.relayout(chart, {width: null, autosize: true});
      });
    }
  });
})();
