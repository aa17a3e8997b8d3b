import fastifyCookie from '@fastify/cookie';
import { describeAdapter } from '@sessionkit/core/testing';
import Fastify from 'fastify';
import { session } from '../src/index.js';

describeAdapter('fastify 5', {
  async serve({ manager, routes, onError }) {
    const app = Fastify();
    // @fastify/cookie sets the app's cookie in its own onSend hook: the session cookie must survive beside it.
    await app.register(fastifyCookie);
    await app.register(session, { manager });
    app.addHook('onError', async (_request, _reply, error) => onError(error));
    for (const route of routes) {
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const answer = await route.handle({ session: request.session, url: request.url, raw: reply.raw });
          if (answer.tail !== undefined) return reply.send(answer.tail);
          if (answer.cookie !== undefined) reply.setCookie(answer.cookie.name, answer.cookie.value, { path: '/' });
          if (answer.headers !== undefined) reply.headers(answer.headers);
          if (answer.redirect !== undefined) return reply.redirect(answer.redirect, 303);
          return reply.code(answer.status).send(answer.json);
        },
      });
    }
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  },
});
