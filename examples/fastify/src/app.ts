/**
 * The sessionkit demo on Fastify: log in, count visits, see the session, log out (everywhere).
 *
 * @module
 */
import formbody from '@fastify/formbody';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { session } from '@sessionkit/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { BAD_USERNAME, logIn, loginPage, readLoginForm, userPage, visitorPage } from '../../example-pages.js';

const FRAMEWORK = 'Fastify';

const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Extra routes, added to the same instance after the demo's own, so the session, the form parser
   * and the error handler apply to them too (the reliability suite adds its test routes here).
   */
  readonly routes?: (app: FastifyInstance) => void;
}

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>, options: AppOptions = {}): FastifyInstance {
  const app = Fastify();
  void app.register(session, { manager });
  void app.register(formbody, { bodyLimit: 4096 });

  app.get('/', async (request, reply) => {
    const { username } = request.session.data;
    if (username === undefined) return reply.type(HTML).send(visitorPage(FRAMEWORK));
    const sessionIds = await manager.listUserSessions(request.session.userId ?? username);
    const visits = await request.session.increment('visits');
    return reply
      .type(HTML)
      .send(userPage(FRAMEWORK, request.session, { visits, sessionIds, manager, port: request.socket.localPort }));
  });

  app.get('/login', async (_request, reply) => reply.type(HTML).send(loginPage(FRAMEWORK)));

  app.post('/login', async (request, reply) => {
    const form = readLoginForm(request.body);
    if (form === undefined) return reply.code(400).type(TEXT).send(BAD_USERNAME);
    // A new, empty session id, the user id for "log out everywhere", Remember me: see logIn.
    await logIn(request.session, form.username, form.remember);
    return reply.redirect('/', 303);
  });

  // POST for the button; GET for links and scripts. (See example-pages.ts on CSRF.)
  app.route({
    method: ['GET', 'POST'],
    url: '/logout',
    handler: async (request, reply) => {
      await request.session.destroy();
      return reply.redirect('/', 303);
    },
  });

  app.post('/logout-everywhere', async (request, reply) => {
    const { userId } = request.session;
    if (userId !== undefined) await manager.destroyUserSessions(userId);
    await request.session.destroy(); // already gone from the store; this clears the cookie
    return reply.redirect('/', 303);
  });

  options.routes?.(app);

  app.setErrorHandler(async (error, _request, reply) => {
    // Anything else goes on to Fastify's own error answer.
    if (!isSessionError(error)) throw error;
    // 503 when the store is down: the client may retry; nothing was written.
    if (error.status === 503) reply.header('Retry-After', '1');
    return reply
      .code(error.status)
      .type(TEXT)
      .send(error.status === 503 ? 'Session store unavailable, try again' : error.message);
  });
  return app;
}
