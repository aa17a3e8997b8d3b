/**
 * Express plus the fewest Redis round trips each scenario needs (see floor-redis.ts): the floor
 * the session libraries are measured against.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { createFloorRedis } from './floor-redis.js';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const floor = await createFloorRedis(redisPort);
let seq = 0;
const app = express();
app.get('/login', (_req, res) => void res.send('ok'));
app.get('/read', async (_req, res) => void res.send(String(await floor.read())));
app.get('/write', async (_req, res) => {
  await floor.write(++seq);
  res.send('ok');
});
app.get('/incr', async (_req, res) => void res.send(String(await floor.increment())));
app.get('/new', async (_req, res) => {
  await floor.create(++seq);
  res.send('ok');
});
app.get('/anon', (_req, res) => void res.send('ok'));
serveChild(await listen(createServer(app), port), () => floor.close());
