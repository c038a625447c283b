/* Accord's DPO console: a page over the documented controller API, nothing more. The API key
 * lives in this page's memory only; every call sends it as a bearer token to this origin. */
(function () {
  "use strict";

  var state = { site: "", token: "", config: null };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function api(method, path, body) {
    var init = { method: method, headers: { authorization: "Bearer " + state.token } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/v1/sites/" + encodeURIComponent(state.site) + path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
        if (!r.ok) {
          var why = data && data.detail ? data.detail : r.status + " " + r.statusText;
          if (data && data.field) why += " (" + data.field + ")";
          throw new Error(why);
        }
        return data;
      });
    });
  }

  function table(headers, rows) {
    return el("table", {}, [
      el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
      el("tbody", {}, rows.map(function (r) { return el("tr", {}, r.map(function (c) { return el("td", { text: c == null ? "" : String(c) }); })); }))
    ]);
  }

  function download(name, data) {
    var text = typeof data === "string";
    var blob = new Blob([text ? data : JSON.stringify(data, null, 2)], { type: text ? "text/plain" : "application/json" });
    var a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function label(ct) {
    var found = state.config && state.config.content_types.filter(function (c) { return c.id === ct; })[0];
    return found ? found.label.fr : ct;
  }

  /* ---- Consent rates: one bar chart per box, yes and no per day, with the same data as a table. */
  function chart(key, days) {
    var width = 720, height = 180, pad = 28;
    var max = Math.max.apply(null, days.map(function (d) { return d.granted + d.refused; }).concat([1]));
    var step = (width - 2 * pad) / Math.max(days.length, 1);
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    var total = days.reduce(function (s, d) { return s + d.granted + d.refused; }, 0);
    var yes = days.reduce(function (s, d) { return s + d.granted; }, 0);
    svg.setAttribute("aria-label", key + " : " + yes + " oui sur " + total + " réponses");
    function rect(x, y, w, h, cls) {
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", x); r.setAttribute("y", y); r.setAttribute("width", w); r.setAttribute("height", Math.max(h, 0)); r.setAttribute("class", cls);
      svg.appendChild(r);
    }
    days.forEach(function (d, i) {
      var x = pad + i * step + 1, w = Math.max(step - 2, 1);
      var hy = (height - 2 * pad) * d.granted / max, hn = (height - 2 * pad) * d.refused / max;
      rect(x, height - pad - hy, w, hy, "bar-yes");
      rect(x, height - pad - hy - hn, w, hn, "bar-no");
    });
    var axis = document.createElementNS(ns, "line");
    axis.setAttribute("x1", pad); axis.setAttribute("x2", width - pad); axis.setAttribute("y1", height - pad); axis.setAttribute("y2", height - pad); axis.setAttribute("class", "axis");
    svg.appendChild(axis);
    if (days.length) {
      [[days[0].day, pad], [days[days.length - 1].day, width - pad - 70]].forEach(function (t) {
        var text = document.createElementNS(ns, "text");
        text.setAttribute("x", t[1]); text.setAttribute("y", height - 8); text.setAttribute("class", "label");
        text.textContent = t[0];
        svg.appendChild(text);
      });
    }
    var rate = total ? Math.round(100 * yes / total) : 0;
    return el("figure", { "class": "chart", "data-box": key }, [
      el("figcaption", {}, [el("strong", { text: key }), " — taux de oui : " + rate + " % (" + yes + " / " + total + ")"]),
      svg,
      el("details", {}, [el("summary", { text: "Données du graphique" }), table(["Jour", "Oui", "Non"], days.filter(function (d) { return d.granted + d.refused > 0; }).map(function (d) { return [d.day, d.granted, d.refused]; }))])
    ]);
  }

  function loadRates() {
    return api("GET", "/stats").then(function (data) {
      var boxes = {};
      data.rows.forEach(function (r) {
        var key = label(r.content_type) + " · " + r.channel;
        (boxes[key] = boxes[key] || []).push(r);
      });
      // Every day of the period gets its slot, answered or not, so bars keep their width.
      var calendar = [];
      for (var d = new Date(data.since + "T00:00:00Z"); d <= new Date(); d.setUTCDate(d.getUTCDate() + 1)) calendar.push(d.toISOString().slice(0, 10));
      Object.keys(boxes).forEach(function (k) {
        var byDay = {};
        boxes[k].forEach(function (r) { byDay[r.day] = r; });
        boxes[k] = calendar.map(function (day) { return byDay[day] || { day: day, granted: 0, refused: 0 }; });
      });
      var out = clear($("charts"));
      out.appendChild(el("p", { "class": "legend" }, [el("span", { "class": "yes" }), "oui", el("span", { "class": "no" }), "non"]));
      var keys = Object.keys(boxes).sort();
      if (!keys.length) out.appendChild(el("p", { text: "Aucune réponse depuis le " + data.since + "." }));
      keys.forEach(function (k) { out.appendChild(chart(k, boxes[k])); });
    });
  }

  /* ---- One person: state, history, export, erasure. */
  function showPerson(email) {
    var out = clear($("person-result"));
    out.appendChild(el("p", { text: "Recherche…" }));
    return api("POST", "/subjects/lookup", { email: email }).then(function (found) {
      clear(out);
      var subject = found.subject;
      if (!found.state) {
        out.appendChild(el("p", { "class": "found", text: "Aucune donnée pour cette adresse (identifiant " + subject + ")." }));
        return;
      }
      var s = found.state;
      out.appendChild(el("h3", { text: "Identifiant " + subject }));
      var facts = [["Dernier contact", s.last_contact], ["Client depuis", s.customer_since || "—"], ["Opposition", s.objected_at || "—"], ["Effacé le", s.erased_at || "—"]];
      out.appendChild(table(["", ""], facts));
      out.appendChild(el("h3", { text: "Choix actuels" }));
      out.appendChild(table(["Case", "Canal", "Réponse", "Depuis"], (s.choices || []).map(function (c) {
        return [label(c.content_type), c.channel, c.granted ? (c.pending ? "oui (à confirmer)" : "oui") : (c.withdrawn ? "retiré" : "non"), c.since];
      })));
      var actions = el("p", {}, [
        el("button", { type: "button", id: "history-load", text: "Historique" }), " ",
        el("button", { type: "button", id: "export-download", text: "Exporter (JSON)" }), " ",
        el("button", { type: "button", id: "erase-start", "class": "danger", text: "Effacer…" })
      ]);
      out.appendChild(actions);
      var more = el("div", { id: "person-more", "aria-live": "polite" });
      out.appendChild(more);
      $("history-load").addEventListener("click", function () {
        api("GET", "/subjects/" + subject + "/receipts").then(function (r) {
          clear(more).appendChild(el("h3", { text: "Historique (" + r.receipts.length + " événements signés)" }));
          more.appendChild(table(["#", "Date", "Événement", "Méthode", "Empreinte"], r.receipts.map(function (x) {
            return [x.event.seq, x.event.recorded_at, x.event.body.type, x.event.method, x.event_hash.slice(0, 16) + "…"];
          })));
        }).catch(fail(more));
      });
      $("export-download").addEventListener("click", function () {
        api("GET", "/subjects/" + subject + "/export").then(function (doc) {
          download("accord-export-" + subject + ".json", doc);
          clear(more).appendChild(el("p", { "class": "done", text: "Export téléchargé : " + doc.history.length + " événements, données conservées jusqu'au " + (doc.retention ? doc.retention.personal_data_kept_until : "—") + "." }));
        }).catch(fail(more));
      });
      $("erase-start").addEventListener("click", function () {
        clear(more).appendChild(el("p", {}, [
          "L'adresse et les données personnelles seront détruites ; les preuves restent, pseudonymes. ",
          el("button", { type: "button", id: "erase-confirm", "class": "danger", text: "Confirmer l'effacement" })
        ]));
        $("erase-confirm").addEventListener("click", function () {
          this.disabled = true;
          api("POST", "/subjects/" + subject + "/erase", {}).then(function (cert) {
            clear(more).appendChild(el("h3", { text: "Certificat d'effacement" }));
            more.appendChild(table(["Supprimé", "Conservé", "Pourquoi"], [[(cert.certificate.deleted || []).join(" ; "), (cert.certificate.kept || []).map(function (k) { return k.what; }).join(" ; "), (cert.certificate.kept || []).map(function (k) { return k.why; }).join(" ; ")]]));
            more.appendChild(el("p", { "class": "done", text: "Effacé le " + cert.certificate.erased_at + ". Certificat signé (" + cert.kid + ")." }));
            more.appendChild(el("button", { type: "button", id: "certificate-download", text: "Télécharger le certificat" }));
            $("certificate-download").addEventListener("click", function () { download("accord-effacement-" + subject + ".json", cert); });
          }).catch(fail(more));
        });
      });
    }).catch(fail(out));
  }

  function fail(where) {
    return function (e) { clear(where).appendChild(el("p", { "class": "error", role: "alert", text: "Erreur : " + e.message })); };
  }

  /* ---- Import: the file is sent in chunks of 1,000 rows, with progress and one report. */
  var CHUNK = 1000;
  function runImport(file, source, box) {
    var parts = box.split("|");
    var status = $("import-status"), progress = $("import-progress"), report = clear($("import-report"));
    return file.text().then(function (text) {
      var lines = text.split(/\r?\n/);
      var header = lines.shift();
      while (lines.length && lines[lines.length - 1] === "") lines.pop();
      var total = lines.length, done = 0, accepted = 0, unchanged = 0, rejected = [];
      progress.max = Math.max(total, 1);
      progress.value = 0;
      function next(start) {
        if (start >= total) {
          status.textContent = "Terminé : " + total + " lignes, " + accepted + " acceptées, " + unchanged + " inchangées, " + rejected.length + " refusées.";
          report.appendChild(table(["Ligne", "Refus", "Raison"], rejected.map(function (r) { return [r.line, r.rule, r.message]; })));
          return;
        }
        var chunk = lines.slice(start, start + CHUNK);
        return api("POST", "/imports", { source: source, content_type: parts[0], channel: parts[1], csv: header + "\n" + chunk.join("\n") + "\n" }).then(function (r) {
          accepted += r.accepted; unchanged += r.unchanged;
          // Line numbers of a chunk count from its own header: shift them to the file's.
          r.rejected.forEach(function (x) { x.line += start; rejected.push(x); });
          done = start + chunk.length;
          progress.value = done;
          status.textContent = done + " / " + total + " lignes";
          return next(start + CHUNK);
        });
      }
      status.textContent = "0 / " + total + " lignes";
      return next(0);
    }).catch(fail(report));
  }

  function loadAudit() {
    return api("GET", "/audit").then(function (t) {
      var out = clear($("audit-result"));
      out.appendChild(el("p", { "class": t.verified ? "done" : "error", text: t.verified ? "Chaîne d'empreintes vérifiée : " + t.entries.length + " entrées." : "Chaîne rompue à l'entrée " + t.first_broken_seq + " !" }));
      out.appendChild(table(["#", "Date", "Qui", "Action", "Cible"], t.entries.map(function (e) { return [e.entry.seq, e.entry.at, e.entry.actor, e.entry.action, e.entry.target || ""]; })));
      return t;
    }).catch(fail($("audit-result")));
  }

  var OUTCOMES = {
    delivered: "livrés", failed_attempts: "tentatives échouées", dead: "abandonnés (lettres mortes)",
    runs: "passages", reconfirmation_requested: "reconfirmations demandées", lapsed: "consentements expirés",
    purged: "adresses effacées", messages_pruned: "messages supprimés", idempotency_keys_pruned: "clés d'idempotence oubliées"
  };

  function loadCounters() {
    return api("GET", "/metrics").then(function (m) {
      var out = clear($("counters-result"));
      var pairs = function (o) { return Object.keys(o).map(function (k) { return [OUTCOMES[k] || k, o[k]]; }); };
      out.appendChild(el("h3", { text: "Événements enregistrés" }));
      out.appendChild(table(["Type", "Par", "Nombre"], m.events.map(function (e) { return [e.kind, e.method, e.count]; })));
      out.appendChild(el("h3", { text: "Demandes refusées (par règle)" }));
      out.appendChild(table(["Règle", "Nombre"], pairs(m.rejections)));
      out.appendChild(el("h3", { text: "Webhooks" }));
      out.appendChild(table(["Issue", "Nombre"], pairs(m.webhooks)));
      out.appendChild(el("h3", { text: "Conservation (tâche quotidienne)" }));
      out.appendChild(table(["Issue", "Nombre"], pairs(m.lifecycle)));
      return m;
    }).catch(fail($("counters-result")));
  }

  function loadRecord() {
    return api("GET", "/record-of-processing").then(function (r) {
      var out = clear($("record-result"));
      out.appendChild(table(["", ""], [
        ["Responsable du traitement", r.controller.name + " — " + r.controller.contact],
        ["Personnes concernées", r.data_subjects],
        ["Politique de confidentialité", r.privacy_policy_url],
        ["Destinataires", (r.recipients || []).join(", ") || "aucun"],
        ["Transferts hors UE", r.transfers_outside_eu],
        ["Conservation des données", r.retention.personal_data],
        ["Conservation des preuves", r.retention.consent_proofs]
      ]));
      out.appendChild(el("h3", { text: "Finalités" }));
      out.appendChild(table(["Finalité", "Base légale", "Canaux", "Données"], r.purposes.map(function (p) { return [p.purpose, p.legal_basis, p.channels.join(", "), p.data_categories.join(", ")]; })));
      out.appendChild(el("h3", { text: "Mesures de sécurité" }));
      out.appendChild(el("ul", {}, (r.security_measures || []).map(function (m) { return el("li", { text: m }); })));
    }).catch(fail($("record-result")));
  }

  function start() {
    $("login-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      state.site = $("site").value.trim();
      state.token = $("token").value;
      $("login-error").textContent = "";
      fetch("/v1/sites/" + encodeURIComponent(state.site) + "/config").then(function (r) {
        if (!r.ok) throw new Error("site inconnu");
        return r.json();
      }).then(function (c) {
        state.config = c.config;
        return api("GET", "/audit");
      }).then(function () {
        $("login").hidden = true;
        $("app").hidden = false;
        $("who").textContent = "Site " + state.site + " — " + state.config.controller.name;
        var select = clear($("import-box"));
        state.config.content_types.forEach(function (ct) {
          ct.channels.forEach(function (ch) { select.appendChild(el("option", { value: ct.id + "|" + ch, text: ct.label.fr + " · " + ch })); });
        });
        $("charts").setAttribute("aria-busy", "true");
        loadRates().then(function () { $("charts").removeAttribute("aria-busy"); }).catch(fail($("charts")));
        loadCounters();
        $("email").focus();
      }).catch(function (e) {
        state.token = "";
        $("login-error").textContent = "Connexion impossible : " + e.message;
      });
    });
    $("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); showPerson($("email").value); });
    $("import-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = $("import-file").files[0];
      if (file) runImport(file, $("import-source").value.trim(), $("import-box").value);
    });
    $("audit-load").addEventListener("click", loadAudit);
    $("counters-load").addEventListener("click", loadCounters);
    $("counters-prometheus").addEventListener("click", function (ev) {
      ev.preventDefault();
      api("GET", "/metrics?format=prometheus").then(function (text) { download("accord-metrics-" + state.site + ".txt", text); }).catch(fail($("counters-result")));
    });
    $("audit-download").addEventListener("click", function () { api("GET", "/audit").then(function (t) { download("accord-audit-" + state.site + ".json", t); }); });
    $("record-load").addEventListener("click", loadRecord);
    $("record-print").addEventListener("click", function () { loadRecord().then(function () { window.print(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
