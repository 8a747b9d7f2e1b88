import { defineConfig } from 'vitest/config';

// Warehouse and metadata-store tests spawn processes that contend for file locks: room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000 } });
