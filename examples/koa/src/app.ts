/**
 * The sessionkit demo on Koa: log in, count visits, log out.
 *
 * @module
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/koa';
import Koa, { type Middleware } from 'koa';
import { mountTestRoutes } from './test-routes.js';
import { LOGIN_FORM, loggedInPage, NOT_LOGGED_IN } from '../../example-pages.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Mount the routes the reliability suite drives (never in production). */
  readonly testRoutes?: boolean;
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
    if (username === undefined) {
      ctx.type = 'text/plain';
      ctx.body = NOT_LOGGED_IN;
      return;
    }
    const visits = await ctx.session.increment('visits');
    ctx.type = 'text/html';
    ctx.body = loggedInPage(username, visits);
  });

  router.get('/login', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = LOGIN_FORM;
  });

  router.post('/login', async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const username = typeof body?.['username'] === 'string' ? body['username'].trim() : '';
    if (username.length === 0 || username.length > 100) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'A username of 1 to 100 characters is required';
      return;
    }
    // A new id at login, so an id planted before login (session fixation) is worthless.
    await ctx.session.regenerate();
    ctx.session.data.username = username;
    ctx.session.setUserId(username);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.get('/logout', async (ctx) => {
    await ctx.session.destroy();
    ctx.status = 303;
    ctx.redirect('/');
  });

  if (options.testRoutes === true) mountTestRoutes(router);

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
