/**
 * Fastify with no session and no Redis: the ceiling of the Fastify rows.
 *
 * @module
 */
import Fastify from 'fastify';
import { readServerEnv, serveChild } from './shared.js';

const { port } = readServerEnv();
const app = Fastify({ logger: false });
for (const path of ['/login', '/read', '/write', '/incr', '/new', '/anon']) app.get(path, async () => 'ok');
await app.listen({ port, host: '127.0.0.1' });
serveChild(app.server);
