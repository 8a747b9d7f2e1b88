// Fixture of the tfdv-validate end-to-end tests: two synthetic taxi tables learned from the public sample (a
// baseline and a drifted copy), their statistics and schemas made by the tfdv-stats component, and a launcher
// that runs src/main.ts as the KFP launcher runs the container.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckdbWarehouse, generateTaxiTrips } from '@formalize/common/warehouse';

export const PKG = resolve(import.meta.dirname, '..');
const MAIN = join(PKG, 'src/main.ts');

export const ROWS = 20_000;
/** Same seed: columns the drift leaves alone get identical values, so their distances are exactly 0. */
const SEED = 7;
/** trip_miles stretched, payment_type remixed with an unseen category. */
export const DRIFT = { scale: { trip_miles: 1.6 }, mix: { payment_type: { Cash: 0.3, Bitcoin: 0.03 } } };

export interface Launch {
  code: number | null;
  stderr: string;
  errors: string[];
  /** Task folder: executor output, parameter files and the gs:// mount. */
  dir: string;
  /** Local path of output `name`. */
  out: (name: string) => string;
  /** ExecutorOutput JSON (undefined when the task wrote none). */
  output: () => Promise<ExecutorOutputJson>;
}

export interface ExecutorOutputJson {
  parameterValues: Record<string, unknown>;
  artifacts: Record<string, { artifacts: { name: string; uri: string; metadata: Record<string, unknown> }[] }>;
}

export interface InputArtifactJson { uri: string; type?: string; metadata?: Record<string, unknown> }

type Outputs = Record<string, { type: string } | { parameter: true }>;

async function launch(component: string, outputs: Outputs, parameterValues: Record<string, unknown>, artifacts: Record<string, InputArtifactJson>, warehouse: string): Promise<Launch> {
  const dir = await mkdtemp(join(tmpdir(), `${component}-`));
  // Every task shares one gs:// mount, as on Vertex (an output URI of one task is an input URI of the next),
  // each under its own run folder.
  const root = `gs://root/run-${++runs}/${component}`;
  const outArtifacts: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(outputs)) {
    if ('type' in o) outArtifacts[name] = { artifacts: [{ name, type: { schemaTitle: o.type, schemaVersion: '0.0.1' }, uri: `${root}/${name}`, metadata: {} }] };
    else parameters[name] = { outputFile: join(dir, 'kfp', name) };
  }
  const ei = {
    inputs: {
      parameterValues,
      artifacts: Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, {
        artifacts: [{ name, type: { schemaTitle: a.type ?? 'system.Artifact', schemaVersion: '0.0.1' }, uri: a.uri, metadata: a.metadata ?? {} }],
      }])),
    },
    outputs: { artifacts: outArtifacts, parameters, outputFile: join(dir, 'executor_output.json') },
  };
  const r = spawnSync(process.execPath, [MAIN, '--component', component, '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_GCS_MOUNT: GCS, FORMALIZE_WAREHOUSE: warehouse },
    encoding: 'utf8',
  });
  return {
    code: r.status,
    stderr: r.stderr,
    errors: r.stderr.split('\n').filter((l) => l.startsWith('error: ')),
    dir,
    out: (name) => localPath(`${root}/${name}`),
    output: async () => JSON.parse(await readFile(join(dir, 'executor_output.json'), 'utf8')) as ExecutorOutputJson,
  };
}

let GCS = '';
let runs = 0;

/** Local path of a gs:// URI under the shared mount. */
export const localPath = (uri: string) => join(GCS, uri.replace(/^gs:\/\//, ''));

export interface StatsRun { statistics: InputArtifactJson; schema: InputArtifactJson }

export interface Fixture {
  warehouse: string;
  baseline: StatsRun;
  drifted: StatsRun;
  validate: (parameterValues: Record<string, unknown>, artifacts: Record<string, InputArtifactJson>) => Promise<Launch>;
  /** Runs tfdv-stats on one of the tables with these stats_options. */
  stats: (table: string, statsOptions: Record<string, unknown>) => Promise<StatsRun>;
}

const VALIDATE_OUTPUTS: Outputs = {
  anomalies: { type: 'system.Artifact' }, drift: { type: 'system.Metrics' }, report: { type: 'system.HTML' },
  drift_detected: { parameter: true }, anomaly_count: { parameter: true },
};

export const VALIDATE_OUTPUT_ARTIFACTS = ['anomalies', 'drift', 'report'] as const;

async function runStats(table: string, warehouse: string, statsOptions: Record<string, unknown> = {}): Promise<StatsRun> {
  const r = await launch('tfdv-stats', {
    statistics: { type: 'system.Artifact' }, schema: { type: 'system.Artifact' }, report: { type: 'system.HTML' },
    numeric_features: { parameter: true }, categorical_features: { parameter: true },
  }, { bq_table: table, label_column: 'tips', stats_options: statsOptions }, {}, warehouse);
  if (r.code !== 0) throw new Error(`tfdv-stats on ${table} failed:\n${r.stderr}`);
  const { artifacts } = await r.output();
  const input = (key: string) => ({ uri: artifacts[key]!.artifacts[0]!.uri, metadata: artifacts[key]!.artifacts[0]!.metadata });
  return { statistics: input('statistics'), schema: input('schema') };
}

export async function createFixture(): Promise<Fixture> {
  GCS = await mkdtemp(join(tmpdir(), 'validate-gcs-'));
  const warehouse = await mkdtemp(join(tmpdir(), 'validate-wh-'));
  // The first open loads the public sample (bigquery-public-data.chicago_taxi_trips.taxi_trips) the generator learns from.
  const wh = await DuckdbWarehouse.open({ dir: warehouse, writeProjects: ['my-project'] });
  try {
    await generateTaxiTrips(wh, { table: 'my-project.taxi.baseline', rows: ROWS, seed: SEED });
    await generateTaxiTrips(wh, { table: 'my-project.taxi.drifted', rows: ROWS, seed: SEED, drift: DRIFT });
  } finally {
    await wh.close();
  }
  const baseline = await runStats('my-project.taxi.baseline', warehouse);
  const drifted = await runStats('my-project.taxi.drifted', warehouse);
  return {
    warehouse, baseline, drifted,
    validate: (params, artifacts) => launch('tfdv-validate', VALIDATE_OUTPUTS, params, artifacts, warehouse),
    stats: (table, statsOptions) => runStats(table, warehouse, statsOptions),
  };
}
