/* Accord consent widget loader. Finds its own <script> tag and, for each place to show the
 * widget, asks the edge for the form already rendered (one request), paints it into a shadow
 * root at once, then downloads the WebAssembly widget, which takes the painted form over
 * (hydration) without losing anything the person did before it arrived.
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
      endpoint: attr(el, "endpoint", new URL(script.src).origin).replace(/\/$/, ""),
      // data-lang, else the page's language, else the browser's (in order); the edge picks what
      // it speaks. One value when the page says it, so a page can preload the exact request.
      lang: attr(el, "lang", document.documentElement.lang || (navigator.languages || [navigator.language || ""]).join(",")),
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

  /* The rendered form and what hydration needs, in one answer. A re-confirmation that is not
   * due answers without a form, and nothing more is fetched for it. */
  function view(o) {
    var path = o.mode === "signup" ? "/v1/sites/" + encodeURIComponent(o.site) + "/widget" : "/v1/widget/" + encodeURIComponent(o.token);
    return fetch(o.endpoint + path + "?mode=" + encodeURIComponent(o.mode) + "&lang=" + encodeURIComponent(o.lang))
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) { return text && { text: text, answer: JSON.parse(text) }; })
      .catch(function () { return null; });
  }

  /* Paints the form into the shadow root and records what the person does until the widget
   * takes over: boxes they tick, what they type, a button they press. Nothing here ticks a
   * box; the browser does, under the person's hand. */
  function paint(p, view) {
    var a = view.answer;
    var root = p.el.shadowRoot || p.el.attachShadow({ mode: "open" });
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(a.css);
    root.adoptedStyleSheets = [sheet];
    var c = document.createElement("div");
    c.className = a.mode === "banner" ? "accord accord-bare" : "accord";
    // Rendered by the edge from the same components the widget runs, every value escaped.
    c.innerHTML = a.html;
    root.appendChild(c);
    var log = [];
    var pending = null;
    function pressed(action) {
      log.push({ press: action });
      // Saving is shown at once; the form waits, untouchable, for the widget to send it.
      c.inert = true;
      pending = document.createElement("p");
      pending.className = "accord-status accord-pending";
      pending.setAttribute("role", "status");
      pending.textContent = a.saving;
      root.appendChild(pending);
    }
    var listeners = {
      change: function (e) {
        var t = e.target;
        if (t.type === "checkbox") log.push({ toggle: [t.getAttribute("data-content-type"), t.getAttribute("data-channel")] });
      },
      input: function (e) { if (e.target.id === "accord-email") log.push({ email: e.target.value }); },
      click: function (e) {
        var b = e.target.closest && e.target.closest("button[data-action]");
        if (b && b.type === "button" && !c.inert) pressed(b.getAttribute("data-action"));
      },
      submit: function (e) {
        e.preventDefault();
        if (!c.inert) pressed("save");
      }
    };
    Object.keys(listeners).forEach(function (k) { c.addEventListener(k, listeners[k], true); });
    p.container = c;
    p.view = view;
    /* Hands over to the widget: what was recorded, then no more recording. */
    p.handover = function () {
      Object.keys(listeners).forEach(function (k) { c.removeEventListener(k, listeners[k], true); });
      c.inert = false;
      if (pending) pending.remove();
      return JSON.stringify(log);
    };
  }

  /* The widget's code, glue and wasm in parallel. */
  function widget() {
    return Promise.all([import(base + "pkg/accord_widget.js"), fetch(base + "pkg/accord_widget_bg.wasm")]).then(function (parts) {
      return parts[0].default({ module_or_path: parts[1] }).then(function () { return parts[0]; });
    });
  }

  function start() {
    // A mode that needs a signed token shows nothing without one, and fetches nothing.
    var all = places()
      .map(function (el) { return { el: el, opts: options(el) }; })
      .filter(function (p) { return p.opts.mode === "signup" || p.opts.token; });
    Promise.all(all.map(function (p) {
      // One more try after a moment: a phone's link drops a request now and then.
      return view(p.opts).then(function (v) {
        return v || new Promise(function (r) { setTimeout(r, 1500); }).then(function () { return view(p.opts); });
      }).then(function (v) {
        if (!v) {
          // Nothing to show without the edge: the form and its proof both live there.
          p.el.setAttribute("data-accord-error", "the consent service could not be reached");
          return null;
        }
        if (!v.answer.html) return null; // not due
        paint(p, v);
        return p;
      });
    })).then(function (shown) {
      var wanted = shown.filter(Boolean);
      // The code is fetched once the forms are painted: on a phone's link it would otherwise
      // share the bandwidth with the form the person is waiting for. The person fills the
      // painted form meanwhile; nothing they do is lost (see paint).
      if (wanted.length) hydrate(wanted, widget());
    });
  }

  function hydrate(wanted, code) {
    code.then(function (m) {
      wanted.forEach(function (p) {
        try {
          m.hydrate(p.el, p.container, p.opts.endpoint, p.opts.site, p.opts.token, p.view.text, p.handover());
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
    }).catch(function (e) {
      wanted.forEach(function (p) { p.el.setAttribute("data-accord-error", String(e && e.message || e)); });
      console.error("Accord widget failed to load", e);
    });
  }

  // An async script may run before the rest of the page exists.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
