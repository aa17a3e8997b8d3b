import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describeAdapter } from '@sessionkit/core/testing';
import Koa from 'koa';
import { session } from '../src/index.js';

describeAdapter('koa 3', {
  async serve({ manager, routes, onError }) {
    const app = new Koa();
    app.on('error', onError);
    app.use(session(manager));
    app.use(async (ctx, next) => {
      const route = routes.find((r) => r.method === ctx.method && r.path === ctx.path);
      if (route === undefined) return next();
      const reply = await route.handle({ session: ctx.session, url: ctx.url, raw: ctx.res });
      if (reply.tail !== undefined) {
        ctx.body = reply.tail;
        return;
      }
      if (reply.cookie !== undefined) ctx.cookies.set(reply.cookie.name, reply.cookie.value);
      if (reply.headers !== undefined) ctx.set(reply.headers);
      ctx.status = reply.redirect === undefined ? reply.status : 303;
      if (reply.redirect === undefined) ctx.body = reply.json;
      else ctx.redirect(reply.redirect);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
  },
});
