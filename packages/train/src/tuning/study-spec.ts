// The study as Vertex AI describes it (GCPC HyperparameterTuningJobRunOp's `study_spec_metrics` and
// `study_spec_parameters`, as `hyperparameter_tuning_job.serialize_metrics/serialize_parameters` write them), so a
// pipeline moving to Vertex keeps its study definition. Converted to the search space and objective the samplers use.
import { z } from 'zod';
import type { SearchSpace } from './space.ts';
import { DEFAULT_SEARCH_SPACE, searchSpaceSchema } from './space.ts';
import type { Objective } from './study.ts';

/** Hyperparameters a trial can vary: those of the training hyperparameter set that tuning is about. */
export const TUNABLE_PARAMETERS = ['learning_rate', 'batch_size'] as const;
/** Metrics every trial reports (the trainer's validation metrics of its best epoch). */
export const OBJECTIVE_METRICS = ['val_loss', 'val_auc'] as const;

const scaleType = z.enum(['UNIT_LINEAR_SCALE', 'UNIT_LOG_SCALE', 'SCALE_TYPE_UNSPECIFIED']).optional();

const parameterSpec = z.union([
  z.object({
    parameter_id: z.enum(TUNABLE_PARAMETERS),
    double_value_spec: z.object({ min_value: z.number(), max_value: z.number() }),
    scale_type: scaleType,
  }),
  z.object({
    parameter_id: z.enum(TUNABLE_PARAMETERS),
    discrete_value_spec: z.object({ values: z.array(z.number()).min(1) }),
    scale_type: scaleType,
  }),
]);

export const studySpecParametersSchema = z.array(parameterSpec).min(1);
export type StudySpecParameters = z.input<typeof studySpecParametersSchema>;

export const studySpecMetricsSchema = z.array(z.object({ metric_id: z.enum(OBJECTIVE_METRICS), goal: z.enum(['MINIMIZE', 'MAXIMIZE']) }))
  .length(1, 'exactly one metric: multi-objective studies are not supported');
export type StudySpecMetrics = z.input<typeof studySpecMetricsSchema>;

/** The seed's study: val_loss minimised (stage 2 declares it, then picks the maximum: bug 3, fixed here). */
export const DEFAULT_STUDY_SPEC_METRICS: StudySpecMetrics = [{ metric_id: 'val_loss', goal: 'MINIMIZE' }];

/** The seed's stage 2 space in Vertex form: lr DoubleParameterSpec(0.001, 0.1, log), batch_size DiscreteParameterSpec. */
export const DEFAULT_STUDY_SPEC_PARAMETERS: StudySpecParameters = [
  { parameter_id: 'learning_rate', double_value_spec: { min_value: 0.001, max_value: 0.1 }, scale_type: 'UNIT_LOG_SCALE' },
  { parameter_id: 'batch_size', discrete_value_spec: { values: [16, 32, 64, 128, 256] }, scale_type: 'UNIT_LINEAR_SCALE' },
];

export function objectiveFromSpec(metrics: z.output<typeof studySpecMetricsSchema>): Objective {
  const [m] = metrics;
  return { metric: m!.metric_id, goal: m!.goal === 'MINIMIZE' ? 'minimize' : 'maximize' };
}

/** The search space of Vertex parameter specs; a batch size must be a whole number. Throws with the field. */
export function spaceFromSpec(params: z.output<typeof studySpecParametersSchema>): SearchSpace {
  const space = params.map((p) => {
    if ('double_value_spec' in p) {
      return { name: p.parameter_id, type: 'double' as const, min: p.double_value_spec.min_value, max: p.double_value_spec.max_value, scale: p.scale_type === 'UNIT_LOG_SCALE' ? 'log' as const : 'linear' as const };
    }
    return { name: p.parameter_id, type: 'discrete' as const, values: [...p.discrete_value_spec.values].sort((a, b) => a - b) };
  });
  const parsed = searchSpaceSchema.safeParse(space);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [i, ...rest] = issue.path;
    throw new RangeError(`[${String(i)}]${rest.length ? `.${rest.join('.')}` : ''} (${params[i as number]?.parameter_id ?? '?'}): ${issue.message}`);
  }
  for (const p of parsed.data) {
    if (p.name === 'batch_size' && (p.type !== 'discrete' || !p.values.every((v) => Number.isInteger(v) && v >= 1))) {
      throw new RangeError(`batch_size: expected a discrete_value_spec of positive integers, received ${JSON.stringify(p)}`);
    }
    if (p.name === 'learning_rate' && p.type === 'double' && !(p.min > 0)) throw new RangeError(`learning_rate: min_value must be positive, received ${p.min}`);
  }
  return parsed.data;
}

export { DEFAULT_SEARCH_SPACE };
