import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'adapter-koa', include: ['test/**/*.test.ts'], testTimeout: 20_000 },
});
