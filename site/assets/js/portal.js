/* Portal behaviour: charts drawn from embedded JSON, client-side filters, large-text mode.
   Plotly is loaded from this site, and only on pages that have a chart. */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlyUrl = script ? new URL("plotly-basic.min.js", script.src).href : null;
  var plotlyLoading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlyUrl;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return plotlyLoading;
  }

  function draw(Plotly, el) {
    var data = document.getElementById(el.getAttribute("data-chart") + "-data");
    if (!data || el.getAttribute("data-drawn")) return;
    var fig = JSON.parse(data.textContent);
    /* No mode bar: its buttons inside the chart (role="img") would be controls hidden in
       an image for a screen reader; the CSV and the data table below give the data. */
    Plotly.newPlot(el, fig.data, fig.layout, {
      responsive: true, displaylogo: false, displayModeBar: false, locale: "zh-CN"
    });
    el.setAttribute("data-drawn", "1");
  }

  /* A chart is drawn (and plotly.js fetched) when it comes near the screen: a reader
     who only wants the report channels on a phone never downloads the chart library. */
  function drawCharts() {
    var plots = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (!plots.length) return;
    function now(els) {
      loadPlotly().then(function (Plotly) { els.forEach(function (el) { draw(Plotly, el); }); });
    }
    if (!("IntersectionObserver" in window)) return now(plots);
    var watch = new IntersectionObserver(function (entries) {
      var near = entries.filter(function (e) { return e.isIntersecting; }).map(function (e) {
        watch.unobserve(e.target);
        return e.target;
      });
      if (near.length) now(near);
    }, { rootMargin: "200px 0px" });
    plots.forEach(function (el) { watch.observe(el); });
  }

  function bindFilters() {
    document.querySelectorAll("[data-filter-target]").forEach(function (input) {
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        document.querySelectorAll(input.getAttribute("data-filter-target")).forEach(function (el) {
          var text = (el.getAttribute("data-filter-text") || el.textContent).toLowerCase();
          el.hidden = q !== "" && text.indexOf(q) === -1;
        });
      });
    });
    var selects = document.querySelectorAll("[data-case-filter]");
    selects.forEach(function (select) {
      select.addEventListener("change", function () {
        var shown = 0;
        document.querySelectorAll(".portal-case").forEach(function (item) {
          var ok = true;
          selects.forEach(function (s) {
            if (s.value && item.getAttribute("data-" + s.getAttribute("data-case-filter")) !== s.value) ok = false;
          });
          item.hidden = !ok;
          if (ok) shown += 1;
        });
        var count = document.querySelector("[data-case-count]");
        if (count) count.textContent = "共 " + shown + " 个案例";
      });
    });
  }

  function bindLargeText() {
    var on = false;
    try { on = window.localStorage.getItem("portal-large") === "1"; } catch (e) { /* storage off */ }
    document.documentElement.classList.toggle("portal-large", on);
    document.querySelectorAll("[data-large-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.onclick = function () {
        on = !document.documentElement.classList.contains("portal-large");
        document.documentElement.classList.toggle("portal-large", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
        try { window.localStorage.setItem("portal-large", on ? "1" : "0"); } catch (e) { /* storage off */ }
      };
    });
  }

  function init() { drawCharts(); bindFilters(); bindLargeText(); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
