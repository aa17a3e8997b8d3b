import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The conformance suite's race tests run 150 trials each against a real PostgreSQL.
  test: { name: 'example-pg-store', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
});
