/**
 * Express with sessionkit (@sessionkit/express) on RedisStore.
 *
 * @module
 */
import './session-data.js';
import { createServer } from 'node:http';
import { session } from '@sessionkit/express';
import express from 'express';
import { createSessionkitSetup } from './sessionkit-options.js';
import { LOGIN_DATA, listen, NEW_SESSION_USER, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const setup = await createSessionkitSetup(redisPort);
let seq = 0;
const app = express();
app.use(session(setup.options));
app.get('/login', (req, res) => {
  Object.assign(req.session.data, structuredClone(LOGIN_DATA));
  res.send('ok');
});
app.get('/read', (req, res) => void res.send(String(req.session.data.user)));
app.get('/write', (req, res) => {
  req.session.data.seq = ++seq;
  res.send('ok');
});
app.get('/incr', async (req, res) => void res.send(String(await req.session.increment('n'))));
app.get('/new', (req, res) => {
  req.session.data.user = NEW_SESSION_USER;
  res.send('ok');
});
app.get('/anon', (_req, res) => void res.send('ok'));
serveChild(await listen(createServer(app), port), () => setup.close());
