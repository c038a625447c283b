/* Accord's bench page: usable once a button of the form is visible in the shadow root (the
 * edge's rendering, before the widget's code has run), then the time from a press of Save to
 * the first visible feedback ("saving", or the widget's own status), and when the widget's
 * code took the form over. Outside the page's markup because the bench's CSP-free page
 * still keeps scripts in files, as the shop does. */
(function () {
  "use strict";
  function root() {
    var h = document.getElementById("accord-signup");
    return h && h.shadowRoot;
  }
  __benchWatch(function () { return root() && root().querySelector("button"); });
  // When the widget's code has taken the form over (the loader then defines window.Accord).
  (function taken() {
    if (window.Accord) window.__bench.hydrated = performance.now();
    else if (performance.now() < 60000) setTimeout(taken, 10);
  })();
  window.__bench.after = function (done) {
    // Where the time to usable went: when the page, the loader and the form's answer arrived.
    var at = function (re) {
      var e = performance.getEntriesByType("resource").filter(function (x) { return re.test(x.name); })[0];
      return e ? { start: e.startTime, end: e.responseEnd } : null;
    };
    var nav = performance.getEntriesByType("navigation")[0];
    window.__bench.path = { page: nav ? nav.responseEnd : null, dcl: nav ? nav.domContentLoadedEventEnd : null,
      loader: at(/accord\.js$/), view: at(/\/widget\?/), glue: at(/accord_widget\.js$/), wasm: at(/\.wasm$/) };
    var r = root();
    var email = r.querySelector("#accord-email");
    email.value = "bench@example.fr";
    email.dispatchEvent(new Event("input", { bubbles: true }));
    var box = r.querySelector("input[type=checkbox]");
    box.click();
    var pressed = performance.now();
    r.querySelector("button[data-action='save']").click();
    (function poll() {
      var shown = r.querySelector(".accord-pending, .accord-status[data-state='sending'], .accord-status[data-state='saved']");
      if (shown && shown.textContent.trim()) {
        window.__bench.feedback = performance.now() - pressed;
        var wait = function () {
          if (window.__bench.hydrated) {
            done();
          } else if (performance.now() - pressed > 30000) {
            done();
          } else {
            setTimeout(wait, 20);
          }
        };
        wait();
        return;
      }
      if (performance.now() - pressed > 30000) { window.__bench.error = "no feedback after Save"; done(); return; }
      requestAnimationFrame(poll);
    })();
  };
})();
