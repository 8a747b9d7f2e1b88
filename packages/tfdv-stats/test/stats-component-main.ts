// The component's entrypoint for the tests (src/main.ts serves the package's full list, src/components.ts):
// the same `main()` the container runs, with just the statistics component.
import { main } from '@formalize/common';
import { stats } from '../src/components/stats.ts';

await main([stats]);
