// The baseline of `cargo xtask bench`: the least a worker can do to store a consent on this
// runtime — read the body, pick one of 16 SQLite-backed Durable Objects (as Accord shards a
// site's ledger), insert one row there, answer 201. Accord's capture path is measured against it.

const SHARDS = 16;

function shardOf(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % SHARDS;
}

export class Store {
  constructor(state) {
    this.sql = state.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }

  async fetch(request) {
    const body = await request.text();
    this.sql.exec("INSERT INTO events (body) VALUES (?)", body);
    return new Response('{"stored":true}', { status: 201, headers: { "content-type": "application/json" } });
  }
}

export default {
  async fetch(request, env) {
    const body = await request.text();
    const stub = env.STORE.get(env.STORE.idFromName("shard-" + shardOf(body)));
    return stub.fetch("http://store/", { method: "POST", body });
  },
};
