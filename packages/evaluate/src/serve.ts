// The serving container's entrypoint: `node dist/serve.js [--model-dir <dir>]` (or `node src/serve.ts` from a
// checkout). Settings come from the Vertex AI environment (AIP_HTTP_PORT, AIP_PREDICT_ROUTE, AIP_HEALTH_ROUTE,
// AIP_STORAGE_URI); `--host` binds another address than 0.0.0.0. SIGTERM (Vertex undeploying, docker stop)
// stops accepting connections, lets requests in flight finish, and exits 0.
import { parseArgs } from 'node:util';
import { ContractError, createLogger, uriToLocalPath } from '@formalize/common';
import { openScorer } from './model/scorer.ts';
import { readServingEnv } from './serving/env.ts';
import { startPredictionServer } from './serving/server.ts';

/** How long in-flight requests get after SIGTERM before the process exits anyway. */
const DRAIN_MS = 25_000;

const log = createLogger({ component: 'serve', stream: process.stderr });

async function start(): Promise<void> {
  const { values } = parseArgs({ options: { 'model-dir': { type: 'string' }, host: { type: 'string' } }, strict: true });
  const env = readServingEnv();
  const source = values['model-dir'] ?? env.AIP_STORAGE_URI;
  if (!source) throw new ContractError(['--model-dir: give the model folder (or set AIP_STORAGE_URI)']);
  const dir = uriToLocalPath(source);
  const server = await startPredictionServer({
    load: async () => {
      const scorer = await openScorer(dir, log);
      const meta = scorer.bundle.metadata ?? {};
      return scorer.predictor({ model: source, ...(typeof meta['model_family'] === 'string' && { model_family: meta['model_family'] }) });
    },
    port: env.AIP_HTTP_PORT,
    ...(values.host !== undefined && { host: values.host }),
    predictRoute: env.AIP_PREDICT_ROUTE,
    healthRoute: env.AIP_HEALTH_ROUTE,
    log,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping: finishing requests in flight', { signal });
    setTimeout(() => {
      log.warn('requests still in flight after the drain period: exiting', { drainMs: DRAIN_MS });
      process.exit(0);
    }, DRAIN_MS).unref();
    server.close().then(() => {
      log.info('stopped');
      process.exit(0);
    }, (err: unknown) => {
      log.error('close failed', { error: String(err) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A model that fails to load leaves the server answering 503, so Vertex reports the deployment unhealthy.
  await server.loaded.catch(() => {});
}

start().catch((err: unknown) => {
  for (const line of err instanceof ContractError ? err.problems : [(err as Error).message]) process.stderr.write(`error: ${line}\n`);
  process.exit(1);
});
