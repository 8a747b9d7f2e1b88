// Compiles the pipeline specs into pipelines/compiled/. `--check` writes nothing and fails on stale files.
import { relative } from 'node:path';
import { compileAll } from '../pipelines/src/compile-all.ts';

const check = process.argv.includes('--check');
const { files, ok } = await compileAll({ check });
for (const f of files) console.log(`${f.status.padEnd(10)} ${relative(process.cwd(), f.path)}`);
if (!ok) {
  console.error('compiled pipelines are out of date: run `npm run compile` and commit pipelines/compiled/');
  process.exitCode = 1;
}
