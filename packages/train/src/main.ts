// Container entrypoint: `node --conditions=formalize-dist dist/main.js --component <name> --executor_input '{{$}}'`
// (or `node src/main.ts ...` from a checkout).
import { main } from '@formalize/common';
import { components } from './components.ts';

await main(components);
