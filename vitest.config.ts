import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'demo/**/*.test.ts',
      'bench/**/*.test.ts',
      'console/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // Rebuilds dist/ and console/dist when older than their sources (tests run the built bin).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start servers and child processes; two cores, so keep parallelism low.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
