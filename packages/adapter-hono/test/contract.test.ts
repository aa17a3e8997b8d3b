import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { describeAdapter } from '@sessionkit/core/testing';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { session } from '../src/index.js';

describeAdapter('hono 4', {
  async serve({ manager, routes, onError }) {
    const app = new Hono<{ Bindings: HttpBindings }>();
    app.use(session(manager));
    for (const route of routes) {
      app.on(route.method, route.path, async (c) => {
        const url = new URL(c.req.url);
        const raw = c.env.outgoing;
        const reply = await route.handle({ session: c.get('session'), url: url.pathname + url.search, raw });
        if (reply.tail !== undefined) {
          // Answered through the Node response itself: commit first, as a response that bypasses c.res must.
          await c.get('session').commit();
          raw.end(reply.tail);
          return RESPONSE_ALREADY_SENT;
        }
        if (reply.cookie !== undefined) setCookie(c, reply.cookie.name, reply.cookie.value, { path: '/' });
        for (const [name, value] of Object.entries(reply.headers ?? {})) c.header(name, value);
        if (reply.redirect !== undefined) return c.redirect(reply.redirect, 303);
        return c.json(reply.json, reply.status as ContentfulStatusCode);
      });
    }
    // Report, then answer as Hono's default handler does (and nothing once the Node response was used).
    app.onError((error, c) => {
      onError(error);
      if (c.env.outgoing.headersSent) return RESPONSE_ALREADY_SENT;
      return 'getResponse' in error ? error.getResponse() : c.text('Internal Server Error', 500);
    });
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
  },
});
