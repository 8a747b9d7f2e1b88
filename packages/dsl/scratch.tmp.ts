import { readdirSync } from 'node:fs';
import { irToYaml, singleComponentPipelineSpec } from '@formalize/common';
import { loadComponentFromFile } from './src/load/index.ts';
const dir = '../../../shared/conformance/kfp-ir/v1-components';
for (const f of readdirSync(dir)) {
  const c = await loadComponentFromFile(`${dir}/${f}`);
  console.log(JSON.stringify(c, null, 1));
  if (c.kind === 'container') console.log(irToYaml(singleComponentPipelineSpec(c)));
}
for (const f of ['hello_world.yaml', 'container_with_if_placeholder.yaml', 'pipeline_with_loops.yaml']) {
  const c = await loadComponentFromFile(`../../../shared/conformance/kfp-ir/${f}`);
  console.log(f, c.kind, c.name, c.description);
}
