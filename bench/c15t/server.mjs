// c15t's self-hostable consent backend (@c15t/backend 2.2.1) as its documentation sets it up
// on Node: Kysely over better-sqlite3 (one SQLite file, write-ahead log), served by
// @hono/node-server on 127.0.0.1. `cargo xtask bench` starts it next to Accord's edge and sends
// it one new consent per request (`POST /subjects`, bench/wrk-c15t.lua).
//
// env: PORT, DB_FILE (a fresh file per run).
import { c15tInstance } from '@c15t/backend';
import { kyselyAdapter } from '@c15t/backend/db/adapters/kysely';
import { DB } from '@c15t/backend/db/schema';
import { migrator } from '@c15t/backend/db/migrator';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';

const sqlite = new Database(process.env.DB_FILE);
// The write-ahead log: twice the throughput of SQLite's default rollback journal here, and
// what a production SQLite deployment uses.
sqlite.pragma('journal_mode = wal');
const kysely = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
const adapter = kyselyAdapter({ db: kysely, provider: 'sqlite' });

const migration = await migrator({ db: DB.client(adapter), schema: 'latest' });
await migration.execute();

const c15t = c15tInstance({
  appName: 'accord-bench',
  basePath: '/',
  trustedOrigins: ['127.0.0.1'],
  adapter,
  disableGeoLocation: true,
  logger: { level: 'error' },
});

serve({ fetch: c15t.handler, hostname: '127.0.0.1', port: Number(process.env.PORT) }, () => {
  console.log('c15t listening');
});
