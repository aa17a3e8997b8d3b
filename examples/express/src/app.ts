/**
 * The sessionkit demo on Express: log in, count visits, see the session, log out (everywhere).
 *
 * @module
 */
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/express';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { BAD_USERNAME, logIn, loginPage, readLoginForm, userPage, visitorPage } from '../../example-pages.js';

const FRAMEWORK = 'Express';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Extra routes, added after the demo's own, so the session, the body parser and the error handler
   * apply to them too (the reliability suite adds its test routes here).
   */
  readonly routes?: (app: Express) => void;
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
      res.type('html').send(visitorPage(FRAMEWORK));
      return;
    }
    const sessionIds = await manager.listUserSessions(req.session.userId ?? username);
    const visits = await req.session.increment('visits');
    res
      .type('html')
      .send(userPage(FRAMEWORK, req.session, { visits, sessionIds, manager, port: req.socket.localPort }));
  });

  app.get('/login', (_req, res) => {
    res.type('html').send(loginPage(FRAMEWORK));
  });

  app.post('/login', async (req, res) => {
    const form = readLoginForm(req.body);
    if (form === undefined) {
      res.status(400).type('text/plain').send(BAD_USERNAME);
      return;
    }
    // A new, empty session id, the user id for "log out everywhere", Remember me: see logIn.
    await logIn(req.session, form.username, form.remember);
    res.redirect(303, '/');
  });

  // POST for the button; GET for links and scripts. (See example-pages.ts on CSRF.)
  const logout: RequestHandler = async (req, res) => {
    await req.session.destroy();
    res.redirect(303, '/');
  };
  app.route('/logout').get(logout).post(logout);

  app.post('/logout-everywhere', async (req, res) => {
    const { userId } = req.session;
    if (userId !== undefined) await manager.destroyUserSessions(userId);
    await req.session.destroy(); // already gone from the store; this clears the cookie
    res.redirect(303, '/');
  });

  options.routes?.(app);

  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!isSessionError(error)) {
      next(error);
      return;
    }
    // 503 when the store is down: the client may retry; nothing was written.
    if (error.status === 503) res.set('Retry-After', '1');
    res
      .status(error.status)
      .type('text/plain')
      .send(error.status === 503 ? 'Session store unavailable, try again' : error.message);
  };
  app.use(onError);
  return app;
}
