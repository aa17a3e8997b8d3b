/**
 * The sessionkit demo on Fastify: log in, count visits, log out.
 *
 * @module
 */
import formbody from '@fastify/formbody';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { mountTestRoutes } from './test-routes.js';
import { LOGIN_FORM, loggedInPage, NOT_LOGGED_IN } from '../../example-pages.js';

const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Mount the routes the reliability suite drives (never in production). */
  readonly testRoutes?: boolean;
}

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>, options: AppOptions = {}): FastifyInstance {
  const app = Fastify();
  void app.register(session, { manager });
  void app.register(formbody, { bodyLimit: 4096 });

  app.get('/', async (request, reply) => {
    const { username } = request.session.data;
    if (username === undefined) return reply.type(TEXT).send(NOT_LOGGED_IN);
    const visits = await request.session.increment('visits');
    return reply.type(HTML).send(loggedInPage(username, visits));
  });

  app.get('/login', async (_request, reply) => reply.type(HTML).send(LOGIN_FORM));

  app.post('/login', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const username = typeof body?.['username'] === 'string' ? body['username'].trim() : '';
    if (username.length === 0 || username.length > 100) {
      return reply.code(400).type(TEXT).send('A username of 1 to 100 characters is required');
    }
    // A new id at login, so an id planted before login (session fixation) is worthless.
    await request.session.regenerate();
    request.session.data.username = username;
    request.session.setUserId(username);
    return reply.redirect('/', 303);
  });

  app.get('/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/', 303);
  });

  if (options.testRoutes === true) mountTestRoutes(app);

  app.setErrorHandler(async (error, _request, reply) => {
    // Anything else goes on to Fastify's own error answer.
    if (!isSessionError(error)) throw error;
    // 503 when the store is down: the client may retry; nothing was written.
    if (error.status === 503) reply.header('Retry-After', '1');
    return reply.code(error.status).type(TEXT).send(error.status === 503 ? 'Session store unavailable, try again' : error.message);
  });
  return app;
}
