import { defineConfig } from 'vitest/config';

// The concurrency test spawns writer processes: give it room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000 } });
