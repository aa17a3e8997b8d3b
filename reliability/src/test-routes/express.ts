/**
 * The suite's routes on the Express demo, which src/apps/express.ts mounts through the demo's
 * `createApp(manager, { routes })`: they expose the session and deliberately naive patterns so
 * tests can prove what the library prevents. The demo itself never carries them.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Express, Request } from 'express';

/** These routes write arbitrary keys on purpose, outside the demo's typed SessionData. */
const untyped = (req: Request): Record<string, unknown> => req.session.data as Record<string, unknown>;

/** Mounts the test-only routes under /test. */
export function mountTestRoutes(app: Express): void {
  // The session as JSON: id only when it exists in the store, so tests can check adoption.
  app.get('/test/session', (req, res) => {
    res.json({
      isNew: req.session.isNew,
      id: req.session.isNew ? null : req.session.id,
      userId: req.session.userId ?? null,
      data: req.session.data,
      prototypePolluted: 'polluted' in {},
    });
  });

  // Read-modify-write of a plain value: what express-session users do, and why updates get lost.
  app.post('/test/naive-increment', async (req, res) => {
    const current = Number(untyped(req)['naive'] ?? 0);
    await delay(5);
    untyped(req)['naive'] = current + 1;
    res.json({ naive: current + 1 });
  });

  app.post('/test/data/:key', (req, res) => {
    untyped(req)[req.params.key as string] = typeof req.body?.value === 'string' ? req.body.value : null;
    res.status(204).end();
  });

  // Data of a chosen size, made on the server so no body-size limit stands in the way of the 413.
  app.post('/test/fill', (req, res) => {
    untyped(req)['fill'] = 'x'.repeat(Number(req.query['bytes'] ?? 0));
    res.status(204).end();
  });

  // A write that takes its time: a logout racing it must still win.
  app.post('/test/slow-write', async (req, res) => {
    untyped(req)['slow'] = Date.now();
    await delay(Number(req.query['ms'] ?? 200));
    res.status(204).end();
  });
}
