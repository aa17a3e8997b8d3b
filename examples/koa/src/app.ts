/**
 * The sessionkit demo on Koa: log in, count visits, see the session, log out (everywhere).
 *
 * @module
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/koa';
import Koa, { type Middleware } from 'koa';
import { BAD_USERNAME, logIn, loginPage, readLoginForm, userPage, visitorPage } from '../../example-pages.js';

const FRAMEWORK = 'Koa';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Extra routes, added to the demo's router after its own, so the session, the body parser and the
   * session-error answer apply to them too (the reliability suite adds its test routes here).
   */
  readonly routes?: (router: Router) => void;
}

/** Session errors as plain text with their status; anything else goes on to Koa's own error answer. */
const answerSessionErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!isSessionError(error)) throw error;
    // 503 when the store is down: the client may retry; nothing was written.
    if (error.status === 503) ctx.set('Retry-After', '1');
    ctx.status = error.status;
    ctx.type = 'text/plain';
    ctx.body = error.status === 503 ? 'Session store unavailable, try again' : error.message;
  }
};

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>, options: AppOptions = {}): Koa {
  const app = new Koa();
  app.use(answerSessionErrors);
  app.use(session(manager));
  app.use(bodyParser({ enableTypes: ['form'], formLimit: '4kb' }));
  const router = new Router();

  router.get('/', async (ctx) => {
    const { username } = ctx.session.data;
    ctx.type = 'html';
    if (username === undefined) {
      ctx.body = visitorPage(FRAMEWORK);
      return;
    }
    const sessionIds = await manager.listUserSessions(ctx.session.userId ?? username);
    const visits = await ctx.session.increment('visits');
    ctx.body = userPage(FRAMEWORK, ctx.session, { visits, sessionIds, manager, port: ctx.socket.localPort });
  });

  router.get('/login', (ctx) => {
    ctx.type = 'html';
    ctx.body = loginPage(FRAMEWORK);
  });

  router.post('/login', async (ctx) => {
    const form = readLoginForm(ctx.request.body);
    if (form === undefined) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = BAD_USERNAME;
      return;
    }
    // A new, empty session id, the user id for "log out everywhere", Remember me: see logIn.
    await logIn(ctx.session, form.username, form.remember);
    ctx.status = 303;
    ctx.redirect('/');
  });

  // POST for the button; GET for links and scripts. (See example-pages.ts on CSRF.)
  const logout: Middleware = async (ctx) => {
    await ctx.session.destroy();
    ctx.status = 303;
    ctx.redirect('/');
  };
  router.get('/logout', logout).post('/logout', logout);

  router.post('/logout-everywhere', async (ctx) => {
    const { userId } = ctx.session;
    if (userId !== undefined) await manager.destroyUserSessions(userId);
    await ctx.session.destroy(); // already gone from the store; this clears the cookie
    ctx.status = 303;
    ctx.redirect('/');
  });

  options.routes?.(router);

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
