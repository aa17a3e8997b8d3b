/** The example apps the suite runs against: one behaviour, four frameworks. */
export const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono'] as const;

/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number];

/** A 32+ character secret the suite seals with, so it can forge and replay cookies. */
export const SUITE_SECRET = 'reliability-suite-secret-0123456789abcdef';
