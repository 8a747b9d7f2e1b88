import { defineConfig } from 'vitest/config';

// These tests train models and spawn component processes: give them room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });
