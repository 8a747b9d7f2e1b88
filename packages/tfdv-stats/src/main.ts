// Container entrypoint of both components: `node --conditions=formalize-dist dist/main.js --component
// <tfdv-stats|tfdv-validate> --executor_input '{{$}}'` (or `node src/main.ts ...` from a checkout).
import { main } from '@formalize/common';
import { components } from './components.ts';

await main(components);
