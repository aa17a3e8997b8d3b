import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type AdapterHarness, describeAdapter } from '@sessionkit/core/testing';
import express, { type ErrorRequestHandler, type Express } from 'express';
import express4 from 'express4';
import { session } from '../src/index.js';

/** One harness for Express 5 and 4: async errors go to `next` by hand, as Express 4 needs. */
function harness(createApp: () => Express): AdapterHarness {
  return {
    async serve({ manager, routes, onError }) {
      const app = createApp();
      app.use(session(manager));
      for (const route of routes) {
        app[route.method === 'GET' ? 'get' : 'post'](route.path, (req, res, next) => {
          route
            .handle({ session: req.session, url: req.originalUrl, raw: res })
            .then((reply) => {
              if (reply.tail !== undefined) return void res.end(reply.tail);
              if (reply.cookie !== undefined) res.cookie(reply.cookie.name, reply.cookie.value);
              if (reply.headers !== undefined) res.set(reply.headers);
              if (reply.redirect !== undefined) res.redirect(303, reply.redirect);
              else res.status(reply.status).json(reply.json);
            })
            .catch(next);
        });
      }
      const report: ErrorRequestHandler = (error, _req, _res, next) => {
        onError(error);
        next(error);
      };
      app.use(report);
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
      };
    },
  };
}

describeAdapter(
  'express 5',
  harness(() => express()),
);
describeAdapter(
  'express 4',
  harness(() => express4()),
);
