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

  /* The report page's institution finder: its index (name, short name, district, type,
     pinyin initials, first phone) is fetched only when a reader starts to use it, so
     the page weighs the same at 300 or 30,000 institutions. */
  function bindFinder() {
    var box = document.querySelector("[data-finder]");
    if (!box || box.getAttribute("data-bound")) return;
    box.setAttribute("data-bound", "1");
    box.hidden = false;
    var input = box.querySelector("input");
    var list = box.querySelector(".portal-finder__results");
    var status = box.querySelector(".portal-finder__status");
    var empty = box.querySelector(".portal-finder__empty");
    var base = box.getAttribute("data-base") || "";
    var rows = null;
    var loading = null;
    var LIMIT = 20;

    function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }
    function load() {
      if (!loading) {
        loading = fetch(box.getAttribute("data-finder")).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }).then(function (data) {
          rows = data.rows.map(function (row) {
            return { id: row[0], name: row[1], short: row[2], district: row[3], type: row[4],
                     initials: row[5], phone: row[6], closed: row[7],
                     names: norm(row[1] + "|" + row[2]), places: norm(row[3] + "|" + row[4]) };
          });
        });
        loading.catch(function () {
          loading = null;
          status.textContent = "机构名单暂时无法加载，请使用下面的“按片区查找”。";
        });
      }
      return loading;
    }
    function rank(row, q) {
      if (row.names.indexOf(q) === 0) return 0;
      if (row.names.indexOf(q) > 0) return 1;
      if (row.initials.indexOf(q) !== -1) return 2;
      if (row.places.indexOf(q) !== -1) return 3;
      return -1;
    }
    function item(row) {
      var li = document.createElement("li");
      li.className = "portal-finder__item";
      var a = document.createElement("a");
      a.href = base + "institutions/" + row.id + "/#举报渠道";
      a.textContent = row.name;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "portal-note";
      meta.textContent = row.district + " · " + row.type;
      li.appendChild(meta);
      if (row.closed) {
        var gone = document.createElement("span");
        gone.className = "portal-closed";
        gone.textContent = "已停业，原渠道已停止使用，请向上级主管部门举报";
        li.appendChild(gone);
      } else if (row.phone) {
        var tel = document.createElement("a");
        tel.className = "portal-finder__tel";
        tel.href = "tel:" + row.phone.replace(/[-\s]/g, "");
        tel.textContent = "拨打 " + row.phone;
        li.appendChild(tel);
      }
      return li;
    }
    function show() {
      if (!rows) return;
      var q = norm(input.value);
      list.textContent = "";
      empty.hidden = true;
      status.textContent = "";
      if (!q) return;
      var hits = [];
      rows.forEach(function (row) {
        var r = rank(row, q);
        if (r >= 0) hits.push([r, row]);
      });
      hits.sort(function (a, b) { return a[0] - b[0]; });
      if (!hits.length) {
        empty.querySelector("[data-finder-query]").textContent = input.value.trim();
        empty.hidden = false;
        status.textContent = "没有找到“" + input.value.trim() + "”";
        return;
      }
      hits.slice(0, LIMIT).forEach(function (h) { list.appendChild(item(h[1])); });
      status.textContent = hits.length > LIMIT
        ? "找到 " + hits.length + " 家，显示前 " + LIMIT + " 家；请输入更多字缩小范围"
        : "找到 " + hits.length + " 家";
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load().then(show, function () {}); });
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

  function init() { drawCharts(); bindFilters(); bindFinder(); bindLargeText(); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
