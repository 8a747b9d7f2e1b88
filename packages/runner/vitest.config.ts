import { defineConfig } from 'vitest/config';

// Runner tests spawn real processes and containers: give them room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
