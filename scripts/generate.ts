// Regenerates every component package's component.yaml and README contract tables from the contracts.
// `node scripts/generate.ts --check` writes nothing and fails listing stale files (run by CI).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtifacts } from '@formalize/common';

const check = process.argv.includes('--check');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { files, ok } = await generateArtifacts({ root, check });
for (const f of files) if (f.status !== 'up-to-date') console.log(`${f.status.padEnd(8)} ${f.path}`);
if (!ok) {
  console.error('generated files are out of date: run `npm run generate` and commit the result');
  process.exitCode = 1;
} else if (check) {
  console.log(`${files.length} generated files up to date`);
}
