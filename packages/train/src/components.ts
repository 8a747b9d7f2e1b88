// The components of this package, for the entrypoint and for pipelines (typed wiring). Kept light: each
// contract imports zod and @formalize/common only; TF.js, DuckDB and the metadata store load inside run().
import { modelBuild } from './components/model-build.ts';
import { train } from './components/train.ts';
import { tune } from './components/tune.ts';
import { hyperparameterState, tuningDecision } from './components/tuning-plan.ts';

export { modelBuild, train, tune, hyperparameterState, tuningDecision };
export const components = [modelBuild, train, tune, hyperparameterState, tuningDecision];
