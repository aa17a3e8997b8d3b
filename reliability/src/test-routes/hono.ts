/**
 * The suite's routes on the Hono demo, which src/apps/hono.ts mounts through the demo's
 * `createApp(manager, { routes })`: they expose the session and deliberately naive patterns so
 * tests can prove what the library prevents. The demo itself never carries them.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from 'hono';
import type { DemoApp } from '../../../examples/hono/src/app.js';

/** These routes write arbitrary keys on purpose, outside the demo's typed SessionData. */
const untyped = (c: Context): Record<string, unknown> => c.get('session').data as Record<string, unknown>;

/** Mounts the test-only routes under /test. */
export function mountTestRoutes(app: DemoApp): void {
  // The session as JSON: id only when it exists in the store, so tests can check adoption.
  app.get('/test/session', (c) => {
    const session = c.get('session');
    return c.json({
      isNew: session.isNew,
      id: session.isNew ? null : session.id,
      userId: session.userId ?? null,
      data: session.data,
      prototypePolluted: 'polluted' in {},
    });
  });

  // Read-modify-write of a plain value: what express-session users do, and why updates get lost.
  app.post('/test/naive-increment', async (c) => {
    const current = Number(untyped(c)['naive'] ?? 0);
    await delay(5);
    untyped(c)['naive'] = current + 1;
    return c.json({ naive: current + 1 });
  });

  app.post('/test/data/:key', async (c) => {
    const body = await c.req.parseBody();
    untyped(c)[c.req.param('key')] = typeof body['value'] === 'string' ? body['value'] : null;
    return c.body(null, 204);
  });

  // Data of a chosen size, made on the server so no body-size limit stands in the way of the 413.
  app.post('/test/fill', (c) => {
    untyped(c)['fill'] = 'x'.repeat(Number(c.req.query('bytes') ?? 0));
    return c.body(null, 204);
  });

  // A write that takes its time: a logout racing it must still win.
  app.post('/test/slow-write', async (c) => {
    untyped(c)['slow'] = Date.now();
    await delay(Number(c.req.query('ms') ?? 200));
    return c.body(null, 204);
  });
}
