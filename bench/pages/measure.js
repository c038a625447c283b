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
  /* What the visitor waited for: the bytes (as transferred, compressed) of every response that
   * ended before `until`, and the round trips in a row among them — a response is one trip
   * after the latest response that ended before it started. The bench's own measure.js is left
   * out (every page has it). */
  function critical(until) {
    var nav = performance.getEntriesByType("navigation")[0];
    var done = [{ end: nav ? nav.responseEnd : 0, depth: 1 }];
    var bytes = nav ? nav.transferSize : 0;
    performance.getEntriesByType("resource")
      .filter(function (e) { return e.responseEnd <= until && !/\/measure\.js$/.test(e.name); })
      .sort(function (a, b) { return a.startTime - b.startTime; })
      .forEach(function (e) {
        var before = done.filter(function (d) { return d.end <= e.startTime; });
        var depth = 1 + Math.max.apply(null, before.map(function (d) { return d.depth; }).concat([0]));
        done.push({ end: e.responseEnd, depth: depth });
        bytes += e.transferSize || 0;
      });
    return { bytes: bytes, trips: Math.max.apply(null, done.map(function (d) { return d.depth; })) };
  }
  function finish() {
    if (bench.usable) {
      var c = critical(bench.usable);
      bench.bytes = c.bytes;
      bench.trips = c.trips;
    }
    setTimeout(function () {
      bench.tbt = blocking(Infinity);
      var nav = performance.getEntriesByType("navigation")[0];
      bench.load = nav ? nav.loadEventEnd : null;
      if (bench.after) {
        bench.after(function () { bench.done = true; });
      } else {
        bench.done = true;
      }
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
