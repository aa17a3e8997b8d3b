/**
 * `describeAdapter`: the conformance suite every framework adapter runs, so that a session
 * behaves the same in Express, Koa, Fastify or your own adapter.
 *
 * @module
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { createSessionManager } from '../manager.js';
import { type AdapterFixture, COOKIE_NAME, createErrorLog, IDLE_TIMEOUT_MS } from './adapter-fixture.js';
import { registerFailureTests } from './adapter-failure.js';
import { registerLifecycleTests } from './adapter-lifecycle.js';
import { type AdapterHarness, type ContractData, contractRoutes, type ServedApp } from './contract-routes.js';
import { createProbeStore } from './contract-store.js';
import { testSecrets } from './helpers.js';
import { TestClient } from './test-client.js';

/**
 * Registers the adapter conformance suite with vitest. For each test the harness mounts the
 * adapter and the fixed contract routes on a fresh app; the suite then checks over real HTTP what
 * must be identical in every framework: no cookie and no store call for an untouched request, the
 * cookie's attributes, rolling refresh, the write saved before a redirect leaves, regenerate,
 * destroy, exact concurrent increments, bad cookies as no session, an app's own cookie kept, a
 * failing store as a 503 without a cookie, a handler error after a write (the write is committed),
 * and HEADERS_SENT surfacing instead of a silently lost session.
 *
 * @param name - shown in the test names, e.g. `'koa 3'`
 * @param harness - starts an app on the adapter under test
 *
 * @example
 * ```ts
 * describeAdapter('my-framework', {
 *   async serve({ manager, routes, onError }) {
 *     const app = myFramework();
 *     app.use(mySessionAdapter(manager));
 *     for (const route of routes) app.route(route.method, route.path, async (req, res) => {
 *       const reply = await route.handle({ session: req.session, url: req.url, raw: res.raw });
 *       res.status(reply.status).json(reply.json);
 *     });
 *     app.onError(onError);
 *     const server = await app.listen({ host: '127.0.0.1', port: 0 });
 *     return { url: server.url, close: () => server.close() };
 *   },
 * });
 * ```
 */
export function describeAdapter(name: string, harness: AdapterHarness): void {
  describe(`adapter conformance: ${name}`, () => {
    let running: { app: ServedApp; fixture: AdapterFixture } | undefined;

    beforeEach(async () => {
      let nowMs = Date.now();
      const now = (): number => nowMs;
      const probe = createProbeStore(now);
      const errors = createErrorLog();
      const manager = createSessionManager<ContractData>({
        store: probe.store,
        secrets: [...testSecrets],
        now,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        absoluteTimeoutMs: 60 * 60_000,
        storeTimeoutMs: 2_000,
        cookie: { name: COOKIE_NAME },
      });
      const app = await harness.serve({ manager, routes: contractRoutes, onError: errors.report });
      running = {
        app,
        fixture: {
          url: app.url,
          probe,
          errors,
          advanceClock: (ms) => {
            nowMs += ms;
          },
          client: () => new TestClient(app.url),
        },
      };
    });

    afterEach(async () => {
      const current = running;
      running = undefined;
      current?.fixture.probe.inner.close();
      await current?.app.close();
    });

    const fixture = (): AdapterFixture => {
      if (running === undefined) throw new Error('describeAdapter: no app is running (serve failed?)');
      return running.fixture;
    };
    registerLifecycleTests(fixture);
    registerFailureTests(fixture);
  });
}
