/*! Accord consent widget loader. Finds its own <script> tag, waits for the page, then loads
 * the WebAssembly widget from the same folder and mounts it.
 *
 *   <script src="https://consent.example/widget/accord.js" async
 *           data-site="demo-shop" data-endpoint="https://consent.example"
 *           data-lang="fr" data-target="optional-element-id"
 *           data-mode="signup|reconfirm" data-token="signed re-confirmation token"></script>
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(".", script.src).href;
  var opts = {
    site: script.getAttribute("data-site") || "",
    endpoint: script.getAttribute("data-endpoint") || new URL(script.src).origin,
    // The widget speaks the page's language unless told otherwise; the browser's comes next.
    lang: script.getAttribute("data-lang") || document.documentElement.lang || "",
    target: script.getAttribute("data-target") || "",
    // "signup" (default) or "reconfirm": the prompt for an identified visitor, whose signed
    // token the host passes in data-token (or the page URL's #token=).
    mode: script.getAttribute("data-mode") || "signup",
    token: script.getAttribute("data-token") || new URLSearchParams(location.hash.slice(1)).get("token") || ""
  };

  function host() {
    var el = opts.target && document.getElementById(opts.target);
    if (el) return el;
    el = document.createElement("accord-consent");
    script.parentNode.insertBefore(el, script.nextSibling);
    return el;
  }

  function start() {
    // Nothing to ask an unidentified visitor: the bundle is not even fetched.
    if (opts.mode === "reconfirm" && !opts.token) return;
    var el = host();
    import(base + "pkg/accord_widget.js")
      .then(function (m) {
        return m.default({ module_or_path: base + "pkg/accord_widget_bg.wasm" }).then(function () {
          m.mount(el, opts.site, opts.endpoint, opts.lang, opts.mode, opts.token);
          // A small API for the host page; events: accord:change, accord:saved (on the host).
          window.Accord = {
            getChoices: function () { return m.choices(); },
            open: function () {
              el.scrollIntoView({ block: "center" });
              var first = el.shadowRoot && el.shadowRoot.querySelector("input, button");
              if (first) first.focus();
            }
          };
        });
      })
      .catch(function (e) {
        el.setAttribute("data-accord-error", String(e && e.message || e));
        console.error("Accord widget failed to load", e);
      });
  }

  // An async script may run before the rest of the page exists.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
