import { defineConfig } from 'vitest/config';
import { testTokenKeysText } from './test/support/token-keys.ts';

// Test topologies have 6 partitions (production's default is 24): a pipeline of seven services then opens 42 tasks, not 168.
const stackTier = { globalSetup: ['test/support/global-setup.ts'], testTimeout: 240_000, hookTimeout: 240_000, fileParallelism: false, env: { OTAFLOW_PARTITIONS: '6', OTAFLOW_DOWNLOAD_TOKEN_KEYS: testTokenKeysText } };

const platformaticTier = [
  'test/walking-skeleton.int.test.ts',
  'services/runtime/dead-letter.int.test.ts',
  'test/poison-records.int.test.ts',
  'test/cell-crash.int.test.ts',
  'test/cell-kills.int.test.ts',
  'test/scale-out.int.test.ts',
  'test/projector.int.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.stack/test-report.json' },
    projects: [
      {
        test: { name: 'unit', include: ['{contracts,services,scripts,test}/**/*.unit.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // The broker, registry and database are shared; each file makes its own topics.
        test: { name: 'int', include: ['{contracts,services,scripts,test}/**/*.int.test.ts'], ...stackTier, sequence: { groupOrder: 1 } },
      },
      {
        // Issue 16: the walking skeleton, the dead-letter tests and the exactly-once crash tests
        // (cell crash, 20 cell kills, rebalance, projector kills) again on the second Kafka driver.
        test: {
          name: 'int-platformatic',
          include: platformaticTier,
          ...stackTier,
          env: { ...stackTier.env, OTAFLOW_KAFKA_DRIVER: 'platformatic' },
          sequence: { groupOrder: 2 },
        },
      },
      {
        // Faults (a broker of its own stopped, a database connection cut through a proxy the test
        // owns) run one file at a time after every other tier, so they disturb no other test.
        // Groups run from the lowest order up; a serial project left at order 0 would run last of all.
        test: { name: 'fault', include: ['{contracts,services,scripts,test}/**/*.fault.test.ts'], ...stackTier, sequence: { groupOrder: 3 } },
      },
    ],
  },
});
