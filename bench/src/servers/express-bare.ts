/**
 * Express with no session and no Redis: the ceiling of the Express rows.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port } = readServerEnv();
const app = express();
const ok = (_req: express.Request, res: express.Response): void => void res.send('ok');
for (const path of ['/login', '/read', '/write', '/incr', '/new', '/anon']) app.get(path, ok);
serveChild(await listen(createServer(app), port));
