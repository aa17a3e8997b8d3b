/**
 * The suite's routes on the Koa demo, which src/apps/koa.ts mounts through the demo's
 * `createApp(manager, { routes })`: they expose the session and deliberately naive patterns so
 * tests can prove what the library prevents. The demo itself never carries them.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from 'koa';
import type { AppOptions } from '../../../examples/koa/src/app.js';

/** The demo's router, as `createApp`'s `routes` option hands it over. */
type Router = Parameters<NonNullable<AppOptions['routes']>>[0];

/** These routes write arbitrary keys on purpose, outside the demo's typed SessionData. */
const untyped = (ctx: Context): Record<string, unknown> => ctx.session.data as Record<string, unknown>;

/** Mounts the test-only routes under /test. */
export function mountTestRoutes(router: Router): void {
  // The session as JSON: id only when it exists in the store, so tests can check adoption.
  router.get('/test/session', (ctx) => {
    ctx.body = {
      isNew: ctx.session.isNew,
      id: ctx.session.isNew ? null : ctx.session.id,
      userId: ctx.session.userId ?? null,
      data: ctx.session.data,
      prototypePolluted: 'polluted' in {},
    };
  });

  // Read-modify-write of a plain value: what express-session users do, and why updates get lost.
  router.post('/test/naive-increment', async (ctx) => {
    const current = Number(untyped(ctx)['naive'] ?? 0);
    await delay(5);
    untyped(ctx)['naive'] = current + 1;
    ctx.body = { naive: current + 1 };
  });

  router.post('/test/data/:key', (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    untyped(ctx)[ctx.params['key'] as string] = typeof body?.['value'] === 'string' ? body['value'] : null;
    ctx.status = 204;
  });

  // Data of a chosen size, made on the server so no body-size limit stands in the way of the 413.
  router.post('/test/fill', (ctx) => {
    untyped(ctx)['fill'] = 'x'.repeat(Number(ctx.query['bytes'] ?? 0));
    ctx.status = 204;
  });

  // A write that takes its time: a logout racing it must still win.
  router.post('/test/slow-write', async (ctx) => {
    untyped(ctx)['slow'] = Date.now();
    await delay(Number(ctx.query['ms'] ?? 200));
    ctx.status = 204;
  });
}
