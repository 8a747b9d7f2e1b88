import { readFileSync, readdirSync } from 'node:fs';
import { parseIrYaml } from '@formalize/common';
import { checkIr } from './src/validate/index.ts';
for (const dir of ['../../../shared/conformance/kfp-ir', '../../../shared/conformance/gcpc-ir']) {
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const { documents } = parseIrYaml(readFileSync(`${dir}/${f}`, 'utf8'));
    const issues = checkIr(documents[0], { platformSpec: documents[1] });
    if (issues.length) console.log(f, issues);
  }
}
console.log('done');
