/**
 * The sessionkit demo on Express: log in, count visits, log out.
 *
 * @module
 */
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { mountTestRoutes } from './test-routes.js';
import { LOGIN_FORM, loggedInPage, NOT_LOGGED_IN } from '../../example-pages.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Mount the routes the reliability suite drives (never in production). */
  readonly testRoutes?: boolean;
}

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(session(manager));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', async (req, res) => {
    const { username } = req.session.data;
    if (username === undefined) {
      res.type('text/plain').send(NOT_LOGGED_IN);
      return;
    }
    const visits = await req.session.increment('visits');
    res.type('text/html').send(loggedInPage(username, visits));
  });

  app.get('/login', (_req, res) => {
    res.type('text/html').send(LOGIN_FORM);
  });

  app.post('/login', async (req, res) => {
    const username = typeof req.body?.username === 'string' ? req.body.username.trim() : '';
    if (username.length === 0 || username.length > 100) {
      res.status(400).type('text/plain').send('A username of 1 to 100 characters is required');
      return;
    }
    // A new id at login, so an id planted before login (session fixation) is worthless.
    await req.session.regenerate();
    req.session.data.username = username;
    req.session.setUserId(username);
    res.redirect(303, '/');
  });

  app.get('/logout', async (req, res) => {
    await req.session.destroy();
    res.redirect(303, '/');
  });

  if (options.testRoutes === true) mountTestRoutes(app);

  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!isSessionError(error)) {
      next(error);
      return;
    }
    // 503 when the store is down: the client may retry; nothing was written.
    if (error.status === 503) res.set('Retry-After', '1');
    res.status(error.status).type('text/plain').send(error.status === 503 ? 'Session store unavailable, try again' : error.message);
  };
  app.use(onError);
  return app;
}
