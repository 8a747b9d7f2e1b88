// The serving entrypoint as Vertex runs it (a process configured by AIP_* variables) on 127.0.0.1, with a model
// of the seed's architecture trained on the data pipeline's output: the exported raw test rows come back with
// the scores evaluate computed, under concurrency; bad requests get 400s; SIGTERM drains and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorInput, launch } from './fixtures/launch.ts';
import { makeModel, runDataPipeline } from './fixtures/models.ts';

const SERVE = resolve(import.meta.dirname, '../src/serve.ts');
const PREDICT = '/v1/endpoints/123/deployedModels/456:predict';
const HEALTH = '/v1/endpoints/123/deployedModels/456';

interface Server { child: ChildProcess; url: string; stderr: () => string; exited: Promise<number | null> }

/** Starts serve.ts on a free port and resolves once the model is loaded. */
function startServer(modelDir: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVE, '--model-dir', modelDir, '--host', '127.0.0.1'], {
      env: { ...process.env, AIP_HTTP_PORT: '0', AIP_PREDICT_ROUTE: PREDICT, AIP_HEALTH_ROUTE: HEALTH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let url = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { message: string; url?: string };
        if (entry.message === 'prediction server listening') url = entry.url!;
        if (entry.message === 'model loaded' && url) resolvePromise({ child, url, stderr: () => stderr, exited });
      }
    });
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`serve.ts exited ${code}: ${stderr}`)));
  });
}

let work: string;
let raw: Record<string, unknown>[];
let evaluated: number[];
let server: Server;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaluate-serve-'));
  const data = await runDataPipeline(join(work, 'root'));
  const model = await makeModel(data, join(work, 'model'), { seed: 7, epochs: 3 });
  const e = await launch(work, 'evaluate', 'evaluate', executorInput(work, 'evaluate', {
    artifacts: { model: { type: 'system.Model', uri: model.dir, metadata: model.metadata }, dataset: data.dataset },
    outputArtifacts: { classification_metrics: 'system.ClassificationMetrics', metrics: 'system.Metrics', scores: 'system.Dataset' },
    outputParameters: ['auc', 'loss', 'accuracy'],
  }));
  if (e.code !== 0) throw new Error(e.stderr);
  evaluated = (await readFile(join(e.artifacts['scores']!.uri, 'scores.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).score);
  raw = (await readFile(join(String(data.dataset.metadata['exported_jsonl_prefix']), 'data-00000-of-00001.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  server = await startServer(model.dir);
}, 300_000);

afterAll(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
});

async function predict(instances: unknown[]): Promise<{ status: number; body: { predictions?: { scores: number }[]; error?: string } }> {
  const res = await fetch(`${server.url}${PREDICT}`, { method: 'POST', body: JSON.stringify({ instances }), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: await res.json() as never };
}

describe('the serving container', () => {
  it('is healthy once the model is loaded', async () => {
    const res = await fetch(`${server.url}${HEALTH}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', backend: 'wasm', model_family: 'chicago' });
  });

  it('returns, for the exported raw test rows, the scores evaluate computed', async () => {
    const scores: number[] = [];
    for (let i = 0; i < raw.length; i += 64) {
      const r = await predict(raw.slice(i, i + 64));
      expect(r.status).toBe(200);
      scores.push(...r.body.predictions!.map((p) => p.scores));
    }
    expect(scores).toHaveLength(evaluated.length);
    scores.forEach((s, i) => expect(Math.abs(s - evaluated[i]!)).toBeLessThanOrEqual(1e-6));
    // Same backend, same float32 inputs: in fact bit for bit.
    expect(scores).toEqual(evaluated);
  });

  it('answers 100 parallel one-instance requests with the same scores', async () => {
    const picks = Array.from({ length: 100 }, (_, k) => (k * 37) % raw.length);
    const results = await Promise.all(picks.map((i) => predict([raw[i]!])));
    results.forEach((r, k) => {
      expect(r.status).toBe(200);
      expect(r.body.predictions![0]!.scores).toBe(evaluated[picks[k]!]);
    });
  });

  it('refuses a bad instance with a 400 naming the field and the value', async () => {
    const r = await predict([raw[0], { ...raw[1], trip_seconds: 'long' }]);
    expect(r).toEqual({ status: 400, body: { error: 'instances[1].trip_seconds: expected a finite number or null, received "long"' } });
    const label = await predict([{ ...raw[0], tip_bin: 1 }]);
    expect(label.status).toBe(400);
    expect(label.body.error).toMatch(/^instances\[0\]\.tip_bin: unknown feature/);
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const body = JSON.stringify({ instances: raw.slice(0, 10) });
    const response = new Promise<{ status: number; text: string }>((resolvePromise, reject) => {
      const req = request(`${server.url}${PREDICT}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      // 100 Continue: the server has the request; only then the signal, then the body.
      req.on('continue', () => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body), 100);
      });
      req.flushHeaders();
    });
    const r = await response;
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { predictions: { scores: number }[] }).predictions.map((p) => p.scores)).toEqual(evaluated.slice(0, 10));
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('"message":"stopped"');
  });
});
