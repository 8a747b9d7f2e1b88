// The component's entrypoint for the tests (src/main.ts serves the package's full list, src/components.ts):
// the same `main()` the container runs, with just model-build.
import { main } from '@formalize/common';
import { modelBuild } from '../src/components/model-build.ts';

await main([modelBuild]);
