import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { describeExample, listenHttp } from '../../example-suite.js';
import { createApp } from '../src/app.js';

describeExample(
  'hono',
  (manager) =>
    listenHttp({
      listen: (port, host) => (createAdaptorServer({ fetch: createApp(manager).fetch }) as Server).listen(port, host),
    }),
  fileURLToPath(new URL('..', import.meta.url)),
);
