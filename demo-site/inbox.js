// Demo inbox: polls /demo/inbox.json every 2 s and shows each webhook delivery the demo server
// received. `message.requested` deliveries are drawn as emails (with their List-Unsubscribe
// headers and working buttons); every other type is one line, as a CRM would log it.
//
// Everything in a delivery is data: it reaches the page through textContent, or through an
// href/action after checking it is an http(s) URL. Never innerHTML.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var list = document.getElementById("inbox-list");
  var status = document.getElementById("inbox-status");
  var empty = document.getElementById("inbox-empty");
  // webhook-id -> its <li>, so a poll only adds what is new and never redraws a message
  // someone is reading or about to click.
  var rendered = new Map();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function str(value) {
    if (typeof value === "string") return value;
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // An absolute http(s) URL, or null: no javascript:, data: or other schemes in href/action.
  function safeUrl(value) {
    if (typeof value !== "string" || value === "") return null;
    var url;
    try {
      url = new URL(value, window.location.href);
    } catch (e) {
      return null;
    }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }

  function formatDate(value) {
    var date = new Date(str(value));
    return isNaN(date.getTime()) ? str(value) : date.toLocaleString("fr-FR");
  }

  // A header by name, whatever its case.
  function header(headers, name) {
    var wanted = name.toLowerCase();
    var keys = Object.keys(headers);
    for (var i = 0; i < keys.length; i++) {
      if (keys[i].toLowerCase() === wanted) return str(headers[keys[i]]);
    }
    return null;
  }

  // The first http(s) URL of a List-Unsubscribe value such as "<https://…>, <mailto:…>":
  // where a mail client sends its one-click POST (RFC 8058).
  function oneClickTarget(listUnsubscribe) {
    var re = /<([^>]*)>/g;
    var match;
    while ((match = re.exec(listUnsubscribe || "")) !== null) {
      var url = safeUrl(match[1].trim());
      if (url) return url;
    }
    return null;
  }

  // A POST form opening its answer in a new tab, so the inbox stays open and shows what follows.
  function postForm(action, label, fields, className) {
    var form = el("form");
    form.method = "post";
    form.action = action;
    form.target = "_blank";
    fields.forEach(function (field) {
      var input = el("input");
      input.type = "hidden";
      input.name = field[0];
      input.value = field[1];
      form.appendChild(input);
    });
    var button = el("button", className || "", label);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  function link(href, label) {
    var a = el("a", null, label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function field(dl, name, value) {
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, value));
  }

  var KIND_LABELS = { confirmation: "Confirmation d'inscription", reconfirmation: "Demande de reconfirmation" };
  var CHANNEL_LABELS = { email: "e-mail", sms: "SMS", phone: "téléphone", post: "courrier" };
  // The link that records the person's yes: `confirm` in the documented payload; the edge may
  // also name it after the message's kind.
  var CONFIRM_KEYS = ["confirm", "confirmation", "reconfirmation", "reconfirm"];
  var LINK_LABELS = {
    confirm: "Page de confirmation",
    confirmation: "Page de confirmation",
    reconfirmation: "Page de reconfirmation",
    reconfirm: "Page de reconfirmation",
    preferences: "Gérer mes préférences",
    unsubscribe: "Page de désabonnement",
    short: "Lien court du SMS",
  };

  function renderEmail(message, data) {
    var article = el("article", "mail");
    var lang = str(data.lang);
    if (/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)) article.lang = lang;

    var kind = str(data.kind);
    var channel = str(data.channel);
    var meta = [KIND_LABELS[kind] || kind || "Message", CHANNEL_LABELS[channel] || channel, lang].filter(Boolean);
    article.appendChild(el("p", "mail-kind", meta.join(" · ")));

    var head = el("dl", "mail-head");
    field(head, "À", str(data.to));
    // An SMS has no subject line.
    if (data.subject_line) field(head, "Objet", str(data.subject_line));
    field(head, "Reçu le", formatDate(message.received_at));
    if (data.valid_until) field(head, "Lien valable jusqu'au", formatDate(data.valid_until));
    article.appendChild(head);

    // The message's own headers, verbatim, as "Name: value" lines.
    var headers = isObject(data.headers) ? data.headers : {};
    var names = Object.keys(headers);
    if (names.length > 0) {
      article.appendChild(el("p", "mail-raw-title", "En-têtes"));
      article.appendChild(
        el(
          "pre",
          "mail-raw",
          names
            .map(function (name) {
              return name + ": " + str(headers[name]);
            })
            .join("\n")
        )
      );
    }

    article.appendChild(el("pre", "mail-body", str(data.text)));

    var links = isObject(data.links) ? data.links : {};
    var actions = el("div", "mail-actions");
    var confirm = null;
    CONFIRM_KEYS.forEach(function (key) {
      confirm = confirm || safeUrl(links[key]);
    });
    if (confirm) {
      var confirmLabel = kind === "reconfirmation" ? "Oui, je reconfirme mon choix" : "Confirmer mon inscription";
      actions.appendChild(postForm(confirm, confirmLabel, [], ""));
    }
    // As a mail client would: POST List-Unsubscribe=One-Click to the header's URL when the
    // message announces one-click (List-Unsubscribe-Post), else to the body's link.
    var unsubscribe = null;
    if (header(headers, "List-Unsubscribe-Post") === "List-Unsubscribe=One-Click") {
      unsubscribe = oneClickTarget(header(headers, "List-Unsubscribe"));
    }
    unsubscribe = unsubscribe || safeUrl(links.unsubscribe);
    if (unsubscribe) {
      actions.appendChild(
        postForm(unsubscribe, "Se désabonner en un clic", [["List-Unsubscribe", "One-Click"]], "secondary")
      );
    }
    if (actions.childNodes.length > 0) {
      article.appendChild(actions);
      article.appendChild(
        el(
          "p",
          "mail-note",
          "Les boutons envoient un POST, comme le bouton « Se désabonner » d'un client de messagerie (RFC 8058) ; " +
            "les liens ci-dessous ouvrent les pages correspondantes (GET), comme un clic dans le texte de l'e-mail."
        )
      );
    }

    // Plain links to the GET pages, as they appear in the text.
    var linkLine = el("p", "mail-links");
    Object.keys(links).forEach(function (name) {
      var href = safeUrl(links[name]);
      if (href) linkLine.appendChild(link(href, LINK_LABELS[name] || name));
    });
    // An identified visitor on the shop sees the widget's prompt instead: the shop passes the
    // same signed token to the widget (here through the account page's URL).
    if (kind === "reconfirmation" && safeUrl(links.reconfirmation)) {
      var token = links.reconfirmation.split("/r/")[1] || "";
      if (token) linkLine.appendChild(link("compte.html#token=" + encodeURIComponent(token), "Ouvrir « Mon compte » sur la boutique"));
    }
    if (linkLine.childNodes.length > 0) article.appendChild(linkLine);
    return article;
  }

  function renderNotice(message, payload) {
    var data = isObject(payload.data) ? payload.data : {};
    var box = el("div", "notice");
    var line = el("p", "notice-line");
    line.appendChild(el("span", "notice-time", formatDate(message.received_at)));
    line.appendChild(document.createTextNode(" — Notification au CRM : "));
    line.appendChild(el("code", null, str(message.type) || "(sans type)"));
    if (data.subject) {
      line.appendChild(document.createTextNode(" · personne "));
      line.appendChild(el("code", null, str(data.subject)));
    }
    if (data.site) {
      line.appendChild(document.createTextNode(" · site "));
      line.appendChild(el("code", null, str(data.site)));
    }
    box.appendChild(line);
    var details = el("details");
    details.appendChild(el("summary", null, "Contenu du webhook"));
    details.appendChild(el("pre", null, JSON.stringify(payload, null, 2)));
    box.appendChild(details);
    return box;
  }

  function render(message) {
    var item = el("li");
    var payload = isObject(message.payload) ? message.payload : { data: message.payload };
    if (message.type === "message.requested" && isObject(payload.data)) {
      item.appendChild(renderEmail(message, payload.data));
    } else {
      item.appendChild(renderNotice(message, payload));
    }
    return item;
  }

  function update(messages) {
    var wanted = [];
    messages.forEach(function (message) {
      if (!isObject(message) || typeof message.id !== "string") return;
      var node = rendered.get(message.id);
      if (!node) {
        node = render(message);
        rendered.set(message.id, node);
      }
      if (wanted.indexOf(node) < 0) wanted.push(node);
    });
    // Gone from the server (it restarted): gone from the page.
    rendered.forEach(function (node, id) {
      if (wanted.indexOf(node) < 0) {
        list.removeChild(node);
        rendered.delete(id);
      }
    });
    // Newest first, moving only what is out of place.
    wanted.forEach(function (node, i) {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
    });
    empty.hidden = wanted.length > 0;
    var count = wanted.length + (wanted.length > 1 ? " messages" : " message");
    status.textContent = "Mis à jour à " + new Date().toLocaleTimeString("fr-FR") + " — " + count + ".";
  }

  function poll() {
    fetch("/demo/inbox.json", { cache: "no-store", headers: { accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        update(isObject(body) && Array.isArray(body.messages) ? body.messages : []);
      })
      .catch(function () {
        status.textContent = "Serveur de démonstration injoignable ; nouvel essai dans 2 s.";
      })
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  poll();
})();
