import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'adapter-hono', include: ['test/**/*.test.ts'], testTimeout: 20_000 },
});
