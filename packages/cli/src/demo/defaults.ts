// The demo's default options, apart from the schema so that `formalize --help` loads no zod.
// Sized for a few minutes on 2 cores: batches of 20,000 to 320,000 trips, 4 tuning trials at steps 1 and 3.
export const DEFAULTS = { steps: 5, driftStep: 3, rows: 20_000, growth: 2, holdoutRows: 200_000, seed: 1, trials: 4 } as const;
