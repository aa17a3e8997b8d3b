// Fastify-only hazards: plugin encapsulation and metadata, hook order beside @fastify/cookie, and
// errors through Fastify's error handler. The shared behaviour is in contract.test.ts.
import fastifyCookie from '@fastify/cookie';
import {
  type DefaultSessionData,
  isSessionError,
  MemoryStore,
  type Session,
  type SessionStore,
} from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { session } from '../src/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(app: FastifyInstance): Promise<TestClient> {
  apps.push(app);
  return new TestClient(await app.listen({ host: '127.0.0.1', port: 0 }));
}

const options = (store: SessionStore = new MemoryStore()) => ({ store, secrets: [...testSecrets] });

describe('@sessionkit/fastify', () => {
  it('types request.session and reaches it inside encapsulated plugins', async () => {
    const app = Fastify();
    await app.register(session, options());
    await app.register(async (child) => {
      child.post('/child', async (request) => {
        expectTypeOf(request.session).toEqualTypeOf<Session<DefaultSessionData>>();
        request.session.data['from'] = 'child';
        return { ok: true };
      });
    });
    app.get('/', async (request) => ({ data: request.session.data }));
    const client = await start(app);
    expect((await client.request('POST', '/child')).status).toBe(200);
    expect(JSON.parse((await client.get('/')).body)).toEqual({ data: { from: 'child' } });
  });

  it('names itself for fastify-plugin dependency checks', async () => {
    const app = Fastify();
    await app.register(session, options());
    const dependent = fp(async () => {}, { name: 'needs-session', dependencies: ['@sessionkit/fastify'] });
    await expect(app.register(dependent).ready()).resolves.toBeDefined();
    await app.close();
  });

  it('keeps @fastify/cookie cookies and raw set-cookie headers, whatever the plugin order', async () => {
    const app = Fastify();
    await app.register(session, options());
    await app.register(fastifyCookie); // after the session plugin: its onSend hook runs second
    app.get('/', async (request, reply) => {
      request.session.data['name'] = 'alice';
      reply.setCookie('theme', 'dark', { path: '/' });
      reply.header('set-cookie', 'raw=1; Path=/');
      return 'ok';
    });
    const response = await (await start(app)).get('/');
    expect(response.setCookies.map((line) => line.slice(0, line.indexOf('='))).sort()).toEqual(['raw', 'sid', 'theme']);
  });

  it("sends a handler's SessionError through a custom error handler with its statusCode", async () => {
    const app = Fastify();
    await app.register(session, options());
    app.setErrorHandler(async (error, _request, reply) => {
      const status = isSessionError(error) ? error.statusCode : 500;
      return reply.code(status).send({ code: isSessionError(error) ? error.code : 'UNKNOWN' });
    });
    app.post('/set', async (request) => {
      request.session.data['name'] = 'alice';
      return 'ok';
    });
    app.post('/increment', async (request) => request.session.increment('name'));
    const client = await start(app);
    await client.request('POST', '/set');
    const response = await client.request('POST', '/increment');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ code: 'INVALID_ARGUMENT' });
  });

  it('answers 503 from onRequest when the store is down, without running the handler', async () => {
    const store = new MemoryStore();
    const app = Fastify();
    await app.register(session, options(store));
    let handled = 0;
    app.post('/set', async (request) => {
      handled += 1;
      request.session.data['name'] = 'alice';
      return 'ok';
    });
    const client = await start(app);
    await client.request('POST', '/set');
    store.load = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
    const response = await client.request('POST', '/set');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 503, code: 'STORE_UNAVAILABLE' });
    expect(response.setCookies).toEqual([]);
    expect(handled).toBe(1);
  });

  describe('a reply sent from a hook stops the route, as without sessionkit', () => {
    type Guard = (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => Promise<unknown>;
    // Each is a way Fastify's docs allow an async hook to answer early.
    const guards: Array<[string, Guard]> = [
      [
        'reply.send() without returning it',
        async (request, reply) => {
          if (request.session.data['user'] === undefined) reply.code(401).send('log in first');
        },
      ],
      [
        'return reply.send()',
        async (request, reply) => {
          if (request.session.data['user'] === undefined) return reply.code(401).send('log in first');
        },
      ],
      [
        'await reply.send()',
        async (request, reply) => {
          if (request.session.data['user'] === undefined) await reply.code(401).send('log in first');
        },
      ],
    ];

    async function guardedApp(hook: 'onRequest' | 'preHandler', guard: Guard) {
      const app = Fastify();
      await app.register(session, options());
      const effects: string[] = [];
      app.post('/visit', async (request) => {
        request.session.data['visits'] = 1;
        return 'ok';
      });
      await app.register(async (child) => {
        child.addHook(hook, guard);
        child.post('/transfer', async () => {
          effects.push('transferred');
          return 'done';
        });
      });
      return { client: await start(app), effects };
    }

    for (const hook of ['onRequest', 'preHandler'] as const) {
      for (const [name, guard] of guards) {
        it(`${hook}, ${name}: anonymous and not-logged-in sessions get the 401 and the handler never runs`, async () => {
          const { client, effects } = await guardedApp(hook, guard);
          const anonymous = await client.request('POST', '/transfer');
          expect(anonymous.status).toBe(401);
          await client.request('POST', '/visit'); // the client now holds a session without a user
          const withSession = await client.request('POST', '/transfer');
          expect(withSession.status).toBe(401);
          // Let anything the route would have done settle before looking.
          await client.request('POST', '/visit');
          expect(effects).toEqual([]);
        });
      }
    }

    it('a guard that writes to the session and returns reply still stops the route, and the write is saved', async () => {
      const app = Fastify();
      await app.register(session, options());
      const effects: string[] = [];
      app.addHook('preHandler', async (request, reply) => {
        if (request.url === '/transfer') {
          request.session.data['returnTo'] = '/transfer';
          return reply.code(401).send('log in first');
        }
      });
      app.post('/transfer', async () => {
        effects.push('transferred');
        return 'done';
      });
      app.get('/where', async (request) => ({ returnTo: request.session.data['returnTo'] ?? null }));
      const client = await start(app);
      expect((await client.request('POST', '/transfer')).status).toBe(401);
      expect(JSON.parse((await client.get('/where')).body)).toEqual({ returnTo: '/transfer' });
      expect(effects).toEqual([]);
    });
  });
});
