import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    // Starts the redis-server shared by the Redis tests (test/redis/); see that file.
    globalSetup: ['test/redis/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
