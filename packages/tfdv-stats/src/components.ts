// Contracts of this package's components: the light module pipelines import for typed wiring (zod +
// @formalize/common only) and the entrypoint loads on every container start. The library is `@formalize/tfdv-stats/lib`.
import { stats } from './components/stats.ts';
import { validate } from './components/validate.ts';

export { stats, validate };
export type { StatsContext, StatsInputs, StatsOutputs, StatsResult } from './components/stats.ts';
export type { ValidateContext, ValidateInputs, ValidateOutputs, ValidateResult } from './components/validate.ts';

export const components = [stats, validate];
