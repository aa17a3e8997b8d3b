/**
 * The sessionkit demo on Hono: log in, count visits, see the session, log out (everywhere).
 *
 * @module
 */
import type { HttpBindings } from '@hono/node-server';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/hono';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BAD_USERNAME, logIn, loginPage, readLoginForm, userPage, visitorPage } from '../../example-pages.js';

const FRAMEWORK = 'Hono';

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };
const HTML = { 'content-type': 'text/html; charset=utf-8' };

/** The demo's Hono app: served on Node by `@hono/node-server`, whose bindings give the socket. */
export type DemoApp = Hono<{ Bindings: HttpBindings }>;

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Extra routes, added to the same app after the demo's own, so the session, the body limit and
   * the error handler apply to them too (the reliability suite adds its test routes here).
   */
  readonly routes?: (app: DemoApp) => void;
}

/** The port this instance received the request on, when served by `@hono/node-server`. */
const localPort = (c: Context<{ Bindings: HttpBindings }>): number | undefined =>
  (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.localPort;

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>, options: AppOptions = {}): DemoApp {
  const app: DemoApp = new Hono();
  app.use(session(manager));
  app.use(bodyLimit({ maxSize: 4096, onError: (c) => c.body('Payload Too Large', 413, TEXT) }));

  app.get('/', async (c) => {
    const current = c.get('session');
    const { username } = current.data;
    if (username === undefined) return c.body(visitorPage(FRAMEWORK), 200, HTML);
    const sessionIds = await manager.listUserSessions(current.userId ?? username);
    const visits = await current.increment('visits');
    return c.body(userPage(FRAMEWORK, current, { visits, sessionIds, manager, port: localPort(c) }), 200, HTML);
  });

  app.get('/login', (c) => c.body(loginPage(FRAMEWORK), 200, HTML));

  app.post('/login', async (c) => {
    const form = readLoginForm(await c.req.parseBody());
    if (form === undefined) return c.body(BAD_USERNAME, 400, TEXT);
    // A new, empty session id, the user id for "log out everywhere", Remember me: see logIn.
    await logIn(c.get('session'), form.username, form.remember);
    return c.redirect('/', 303);
  });

  // POST for the button; GET for links and scripts. (See example-pages.ts on CSRF.)
  app.on(['GET', 'POST'], '/logout', async (c) => {
    await c.get('session').destroy();
    return c.redirect('/', 303);
  });

  app.post('/logout-everywhere', async (c) => {
    const current = c.get('session');
    if (current.userId !== undefined) await manager.destroyUserSessions(current.userId);
    await current.destroy(); // already gone from the store; this clears the cookie
    return c.redirect('/', 303);
  });

  options.routes?.(app);

  app.onError((error, c) => {
    if (isSessionError(error)) {
      // 503 when the store is down: the client may retry; nothing was written.
      if (error.status === 503)
        return c.body('Session store unavailable, try again', 503, { ...TEXT, 'retry-after': '1' });
      return c.body(error.message, error.status as 400, TEXT);
    }
    // Anything else as Hono's own error answer.
    console.error(error);
    return c.body('Internal Server Error', 500, TEXT);
  });
  return app;
}
