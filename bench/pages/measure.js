/* Loaded first, synchronously, by every bench page. Records long tasks and the moment a
 * consent tool's UI is usable: its button is laid out and visible, and a task posted at that
 * moment has run (the main thread is free to handle a click). `cargo xtask bench` reads
 * window.__bench once `done` is set. */
(function () {
  "use strict";
  var bench = (window.__bench = { longtasks: [], done: false });
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) { bench.longtasks.push([e.startTime, e.duration]); });
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {
    bench.error = "no longtask observer";
  }
  function blocking(until) {
    return bench.longtasks.reduce(function (sum, t) { return t[0] < until ? sum + Math.max(0, t[1] - 50) : sum; }, 0);
  }
  function finish() {
    setTimeout(function () {
      bench.tbt = blocking(Infinity);
      var nav = performance.getEntriesByType("navigation")[0];
      bench.load = nav ? nav.loadEventEnd : null;
      bench.done = true;
    }, 1000);
  }
  function visible(el) {
    if (!el) return false;
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden" && getComputedStyle(el).opacity !== "0";
  }
  /* find() returns the element to wait for, or null. */
  window.__benchWatch = function (find) {
    (function poll() {
      var el = null;
      try { el = find(); } catch (e) { /* not there yet */ }
      if (visible(el)) {
        bench.visible = performance.now();
        var ch = new MessageChannel();
        ch.port1.onmessage = function () { bench.usable = performance.now(); finish(); };
        ch.port2.postMessage(0);
        return;
      }
      if (performance.now() > 30000) { bench.error = "the UI never became visible"; bench.done = true; return; }
      requestAnimationFrame(poll);
    })();
  };
  /* Pages where nothing must be shown: measured up to the load event. */
  window.__benchIdle = function () {
    if (document.readyState === "complete") finish();
    else window.addEventListener("load", finish);
  };
})();
