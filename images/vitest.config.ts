import { defineConfig } from 'vitest/config';

// Component images built and pushed by the Nx dependencies of this project's test target, run in real
// containers: room for slow starts on a busy 2-core machine, one file at a time (they share the daemon).
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false } });
