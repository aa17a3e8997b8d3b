import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'reliability'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
