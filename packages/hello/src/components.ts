// Contracts of this package's components. Kept light (zod + @formalize/common + node builtins) because
// pipelines import it for typed wiring and the entrypoint imports it on every container start.
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../package.json' with { type: 'json' };

// One image per component, both built from this package; the package version is the component version.
const entrypoint = '/app/packages/hello/dist/main.js';

export const hello = defineComponent({
  name: 'hello',
  version: pkg.version,
  description: 'Greets someone and writes the greeting as a Markdown report.',
  entrypoint,
  inputs: {
    name: z.string().min(1).default('world').describe('Who to greet.'),
    times: z.int().min(1).max(100).default(1).describe('How many times to repeat the greeting.'),
  },
  outputs: {
    greeting: z.string().describe('The greeting, repeated `times` times.'),
    report: artifact('system.Markdown', { description: 'The greeting as a Markdown document.' }),
  },
  async run({ inputs, outputs, log }) {
    const greeting = Array.from({ length: inputs.times }, () => `Hello, ${inputs.name}!`).join(' ');
    await writeFile(outputs.report.path, `# Greeting\n\n${greeting}\n`);
    outputs.report.metadata['title'] = `Greeting for ${inputs.name}`;
    outputs.report.metadata['repetitions'] = inputs.times;
    log.info('greeted', { name: inputs.name, times: inputs.times });
    return { greeting };
  },
});

export const noop = defineComponent({
  name: 'noop',
  version: pkg.version,
  description: 'Does nothing and returns at once: measures container and executor cold start.',
  entrypoint,
  inputs: {
    note: z.string().optional().describe('Ignored; lets a caller vary the input, e.g. to bypass caching.'),
  },
  run: () => {},
});

export const components = [hello, noop];
