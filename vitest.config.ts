import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.stack/test-report.json' },
    projects: [
      {
        test: { name: 'unit', include: ['{services,scripts,test}/**/*.unit.test.ts'] },
      },
      {
        test: {
          name: 'int',
          include: ['{services,scripts,test}/**/*.int.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // The broker, registry and database are shared; each file makes its own topics.
          fileParallelism: false,
        },
      },
    ],
  },
});
