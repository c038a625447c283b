/* Accord consent widget loader. Finds its own <script> tag, waits for the page, then loads
 * the WebAssembly widget from the same folder and mounts it — once per place to show it.
 *
 *   <script src="https://consent.example/widget/accord.js" async
 *           data-site="demo-shop" data-endpoint="https://consent.example"
 *           data-lang="fr" data-target="optional-element-id"
 *           data-mode="signup|preferences|reconfirm|banner" data-token="signed token"></script>
 *
 * Or place the widget yourself, as often as needed (attributes override the script's):
 *
 *   <accord-consent data-site="demo-shop" data-mode="signup"></accord-consent>
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(".", script.src).href;
  function attr(el, name, fallback) {
    return (el && el.getAttribute("data-" + name)) || script.getAttribute("data-" + name) || fallback;
  }
  function options(el) {
    return {
      site: attr(el, "site", ""),
      endpoint: attr(el, "endpoint", new URL(script.src).origin),
      // The widget speaks the page's language unless told otherwise; the browser's comes next.
      lang: attr(el, "lang", document.documentElement.lang || ""),
      // "signup" (default), "preferences" (the preference centre of a signed preference link),
      // "reconfirm" (the prompt for an identified visitor) or "banner" (the same question as a
      // bar at the bottom of the page); the signed token comes in data-token or #token=.
      mode: attr(el, "mode", "signup"),
      token: attr(el, "token", new URLSearchParams(location.hash.slice(1)).get("token") || "")
    };
  }

  /* Where to mount: every <accord-consent> the page placed, else data-target, else right
   * after this script. */
  function places() {
    var placed = Array.prototype.slice.call(document.querySelectorAll("accord-consent")).filter(function (el) { return !el.shadowRoot; });
    if (placed.length) return placed;
    var target = script.getAttribute("data-target");
    var el = target && document.getElementById(target);
    if (!el) {
      el = document.createElement("accord-consent");
      script.parentNode.insertBefore(el, script.nextSibling);
    }
    return [el];
  }

  /* Re-confirmation is asked only when due: the edge answers one bit before anything else is
   * fetched. Every other mode with its token shows at once. */
  function needed(p) {
    if (p.opts.mode !== "signup" && !p.opts.token) return Promise.resolve(false);
    if (p.opts.mode !== "reconfirm" && p.opts.mode !== "banner") return Promise.resolve(true);
    return fetch(p.opts.endpoint.replace(/\/$/, "") + "/v1/reconfirm/" + encodeURIComponent(p.opts.token))
      .then(function (r) { return r.ok ? r.json() : { due: false }; })
      .then(function (a) { return a.due === true; }, function () { return false; });
  }

  function start() {
    var all = places().map(function (el) { return { el: el, opts: options(el) }; });
    Promise.all(all.map(needed)).then(function (flags) {
      var wanted = all.filter(function (p, i) { return flags[i]; });
      if (wanted.length) load(wanted);
    });
  }

  function load(wanted) {
    import(base + "pkg/accord_widget.js")
      .then(function (m) {
        return m.default({ module_or_path: base + "pkg/accord_widget_bg.wasm" }).then(function () {
          wanted.forEach(function (p) {
            try {
              m.mount(p.el, p.opts.site, p.opts.endpoint, p.opts.lang, p.opts.mode, p.opts.token);
            } catch (e) {
              p.el.setAttribute("data-accord-error", String(e && e.message || e));
            }
          });
          var first = wanted[0].el;
          // A small API for the host page; events: accord:change, accord:saved (on the host).
          window.Accord = {
            getChoices: function () { return m.choices(); },
            open: function () {
              first.scrollIntoView({ block: "center" });
              var focusable = first.shadowRoot && first.shadowRoot.querySelector("input, button");
              if (focusable) focusable.focus();
            }
          };
        });
      })
      .catch(function (e) {
        wanted.forEach(function (p) { p.el.setAttribute("data-accord-error", String(e && e.message || e)); });
        console.error("Accord widget failed to load", e);
      });
  }

  // An async script may run before the rest of the page exists.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
