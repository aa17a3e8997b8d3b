import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    compat: 'src/compat/index.ts',
    fetch: 'src/fetch/index.ts',
    migrate: 'src/migrate/index.ts',
    node: 'src/node/index.ts',
    redis: 'src/redis/index.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
