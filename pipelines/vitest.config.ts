import { defineConfig } from 'vitest/config';

// The end-to-end pipeline tests run whole pipelines through the CLI: give them room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 300_000 } });
