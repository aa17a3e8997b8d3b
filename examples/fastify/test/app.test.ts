import { fileURLToPath } from 'node:url';
import { describeExample } from '../../example-suite.js';
import { createApp } from '../src/app.js';

describeExample(
  'fastify',
  async (manager) => {
    const app = createApp(manager);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  },
  fileURLToPath(new URL('..', import.meta.url)),
);
