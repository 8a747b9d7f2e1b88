import { defineConfig } from 'vitest/config';

// The tests spawn the CLI, which runs real task processes: give them room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
