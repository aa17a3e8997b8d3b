/**
 * Hono on @hono/node-server with no session and no Redis: the ceiling of the Hono rows.
 *
 * @module
 */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port } = readServerEnv();
const app = new Hono();
app.all('*', (c) => c.text('ok'));
serveChild(await listen(createServer(getRequestListener(app.fetch)), port));
