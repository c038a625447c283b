// The /verify page's glue: reads the document a person drops or pastes, fetches what is public
// (the signing keys, each shard's signed checkpoint, the tiles of its tree) and lists the checks
// the verifier (Rust, compiled to wasm: verify/src/browser.rs) ran. Nothing is uploaded.
import init, { check, inspect, tiles_for } from "./pkg/accord_verify.js";

const ready = init({ module_or_path: new URL("./pkg/accord_verify_bg.wasm", import.meta.url) });
const $ = (id) => document.getElementById(id);
const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

async function text(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

/// The checkpoint of each shard the document names, and the tiles proving each of its events.
async function evidence(found) {
  const out = { checkpoints: {}, tiles: {} };
  const site = encodeURIComponent(found.site || "");
  for (const shard of new Set((found.events || []).map((e) => e.shard))) {
    const log = `/v1/sites/${site}/checkpoints/${shard}`;
    try {
      const checkpoint = await text(log);
      out.checkpoints[shard] = JSON.parse(checkpoint);
      const tiles = (out.tiles[shard] = {});
      for (const event of found.events.filter((e) => e.shard === shard)) {
        const paths = JSON.parse(tiles_for(checkpoint, BigInt(event.seq)));
        for (const path of Array.isArray(paths) ? paths : []) {
          if (path in tiles) continue;
          const response = await fetch(`${log}/tile/${path}`);
          if (response.ok) tiles[path] = hex(await response.arrayBuffer());
        }
      }
    } catch (_) {
      // Missing evidence is reported by the checks themselves, in the person's words.
    }
  }
  return out;
}

function show(report) {
  const list = $("checks");
  list.replaceChildren(
    ...report.checks.map((c) => {
      const item = document.createElement("li");
      item.dataset.ok = String(c.ok);
      item.textContent = `${c.ok ? "✓" : "✗"} ${c.what}${c.detail ? ` — ${c.detail}` : ""}`;
      return item;
    }),
  );
  const verdict = $("verdict");
  verdict.dataset.ok = String(report.ok);
  verdict.textContent = verdict.dataset[report.ok ? "valid" : "invalid"];
  verdict.hidden = false;
}

async function run() {
  const document_ = $("document").value;
  $("verdict").hidden = true;
  $("checks").replaceChildren();
  await ready;
  const found = JSON.parse(inspect(document_));
  const keys = await text("/v1/keys").catch(() => "");
  const fetched = found.error ? {} : await evidence(found);
  show(JSON.parse(check(document_, keys, JSON.stringify(fetched), document.documentElement.lang)));
}

$("file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("document").value = await file.text();
});
$("check").addEventListener("click", () => run());
$("form").dataset.ready = "true";
