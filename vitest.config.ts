import { defineConfig } from 'vitest/config';

// Two projects told apart by file name:
//   *.unit.test.ts         pure logic, no services
//   *.integration.test.ts  real PostgreSQL, Redis, emulators and CRM clients
// Each integration file creates its own database and Redis key prefix (test/support), so files run in parallel.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
    pool: 'forks',
  },
});
