// Container entrypoint: `node src/main.ts --component <name> --executor_input '{{$}}'`.
import { main } from '@formalize/common';
import { components } from './components.ts';

await main(components);
