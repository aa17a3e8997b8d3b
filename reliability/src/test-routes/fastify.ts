/**
 * The suite's routes on the Fastify demo, which src/apps/fastify.ts mounts through the demo's
 * `createApp(manager, { routes })`: they expose the session and deliberately naive patterns so
 * tests can prove what the library prevents. The demo itself never carries them.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** These routes write arbitrary keys on purpose, outside the demo's typed SessionData. */
const untyped = (request: FastifyRequest): Record<string, unknown> => request.session.data as Record<string, unknown>;

type Query = { Querystring: Record<string, string | undefined> };

/** Mounts the test-only routes under /test. */
export function mountTestRoutes(app: FastifyInstance): void {
  // The session as JSON: id only when it exists in the store, so tests can check adoption.
  app.get('/test/session', async (request) => {
    const { session } = request;
    return {
      isNew: session.isNew,
      id: session.isNew ? null : session.id,
      userId: session.userId ?? null,
      data: session.data,
      prototypePolluted: 'polluted' in {},
    };
  });

  // Read-modify-write of a plain value: what express-session users do, and why updates get lost.
  app.post('/test/naive-increment', async (request) => {
    const current = Number(untyped(request)['naive'] ?? 0);
    await delay(5);
    untyped(request)['naive'] = current + 1;
    return { naive: current + 1 };
  });

  app.post<{ Params: { key: string } }>('/test/data/:key', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    untyped(request)[request.params.key] = typeof body?.['value'] === 'string' ? body['value'] : null;
    return reply.code(204).send();
  });

  // Data of a chosen size, made on the server so no body-size limit stands in the way of the 413.
  app.post<Query>('/test/fill', async (request, reply) => {
    untyped(request)['fill'] = 'x'.repeat(Number(request.query['bytes'] ?? 0));
    return reply.code(204).send();
  });

  // A write that takes its time: a logout racing it must still win.
  app.post<Query>('/test/slow-write', async (request, reply) => {
    untyped(request)['slow'] = Date.now();
    await delay(Number(request.query['ms'] ?? 200));
    return reply.code(204).send();
  });
}
