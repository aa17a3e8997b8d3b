/**
 * A small Express app on PgStore: count visits, log in, log out, log out everywhere.
 *
 * @module
 */
import { createSessionManager, isSessionError } from '@sessionkit/core';
import { session } from '@sessionkit/express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { PgStore } from './pg-store.js';

interface Data {
  visits: number;
}

/** The app on a store the caller owns (and closes). */
export function createApp(store: PgStore, secrets: string[]): Express {
  const manager = createSessionManager<Data>({ store, secrets });
  const app = express();
  app.use(session(manager));

  app.get('/', async (req, res) => {
    const visits = await req.session.increment('visits'); // one UPDATE, exact under concurrency
    res.type('text/plain').send(`${req.session.userId ?? 'anonymous'}: visit ${visits}\n`);
  });

  app.post('/login/:user', async (req, res) => {
    await req.session.regenerate(); // a new id at every login
    req.session.setUserId(req.params.user);
    res.type('text/plain').send(`logged in as ${req.params.user}\n`);
  });

  app.post('/logout', async (req, res) => {
    await req.session.destroy();
    res.type('text/plain').send('logged out\n');
  });

  app.post('/logout-everywhere', async (req, res) => {
    const { userId } = req.session;
    const ended = userId === undefined ? 0 : await manager.destroyUserSessions(userId);
    await req.session.destroy();
    res.type('text/plain').send(`ended ${ended} session(s)\n`);
  });

  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!isSessionError(error)) return next(error);
    if (error.status === 503) res.set('Retry-After', '1'); // PostgreSQL down or slow: nothing was written
    res.status(error.status).type('text/plain').send(`${error.code}\n`);
  };
  app.use(onError);
  return app;
}
