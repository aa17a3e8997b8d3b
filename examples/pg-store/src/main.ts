/**
 * Starts the app: `DATABASE_URL=postgres://... SESSION_SECRET=... npm start -w examples/pg-store`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { createPgPool, migrate, PgStore } from './pg-store.js';

const pool = createPgPool({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
await migrate(pool);
const store = new PgStore({ pool });
store.startPurging(); // every minute, on a timer that never holds the process open
const secret = process.env['SESSION_SECRET'] ?? randomBytes(32).toString('base64url');
const server = createApp(store, [secret]).listen(Number(process.env['PORT'] ?? 3000), () => {
  console.log(`Listening on http://localhost:${String((server.address() as { port: number }).port)}`);
});
process.once('SIGTERM', () => {
  server.close();
  store.close();
  void pool.end();
});
