// The prediction server on 127.0.0.1 with a tiny hand-built TF.js model: the Vertex request/response contract,
// health before and after the model is loaded, 400s that name the field and the value, concurrency (and the
// micro-batching it enables), and a clean close with requests in flight.
import { afterEach, describe, expect, it } from 'vitest';
import { applyTransform } from '@formalize/common/transform';
import { createLogger } from '@formalize/common';
import { startPredictionServer, type PredictionServer } from '../src/serving/server.ts';
import { createBatcher, type Predictor } from '../src/serving/predictor.ts';
import { TINY_TRANSFORM, tinyPredictor, tinyScore } from './fixtures/tiny-model.ts';

const log = createLogger({ component: 'test', stream: { write: () => true }, json: true });
const servers: PredictionServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(load: () => Promise<Predictor>, extra: { maxBodyBytes?: number; maxInstances?: number } = {}) {
  const server = await startPredictionServer({ load, port: 0, host: '127.0.0.1', predictRoute: '/v1/predict', healthRoute: '/health', log, ...extra });
  servers.push(server);
  return server;
}

const instance = (i: number) => ({ trip_miles: 1 + (i % 7) * 0.75, trip_seconds: 300 + i * 13, payment_type: ['Cash', 'Credit Card', 'Mobile', 'Unknown'][i % 4]! });

async function post(server: PredictionServer, body: unknown, raw = false) {
  const res = await fetch(`${server.url}/v1/predict`, { method: 'POST', body: raw ? (body as string) : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: await res.json() as { predictions?: { scores: number }[]; error?: string } };
}

describe('predict', () => {
  it('answers {"instances": [...]} with {"predictions": [{"scores": p}]} in order', async () => {
    const server = await serve(async () => tinyPredictor());
    await server.loaded;
    const instances = [instance(0), instance(1), instance(2), instance(3)];
    const { status, body } = await post(server, { instances });
    expect(status).toBe(200);
    expect(body.predictions).toHaveLength(4);
    body.predictions!.forEach((p, i) => expect(p.scores).toBeCloseTo(tinyScore(applyTransform(TINY_TRANSFORM, instances[i]!)), 6));
    // TF Serving's row form of a (None, 1) input, and parameters, are accepted too.
    const listed = await post(server, { instances: [{ trip_miles: [instances[0]!.trip_miles], trip_seconds: [300], payment_type: ['Cash'] }], parameters: {} });
    expect(listed.body.predictions![0]!.scores).toBe(body.predictions![0]!.scores);
  });

  it('imputes a null feature as the transform does', async () => {
    const server = await serve(async () => tinyPredictor());
    await server.loaded;
    const { body } = await post(server, { instances: [{ trip_miles: null, trip_seconds: 600, payment_type: null }] });
    expect(body.predictions![0]!.scores).toBeCloseTo(tinyScore({ trip_miles: 0, trip_seconds: 0, payment_type: 3 }), 6);
  });

  it('serves 100 parallel requests correctly', async () => {
    const predictor = tinyPredictor();
    const server = await serve(async () => predictor);
    await server.loaded;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => post(server, { instances: [instance(i), instance(i + 1)] })));
    results.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.body.predictions!.map((p) => p.scores)).toEqual([instance(i), instance(i + 1)].map((x) => expect.closeTo(tinyScore(applyTransform(TINY_TRANSFORM, x)), 6)));
    });
    expect(predictor.calls.reduce((a, b) => a + b, 0)).toBe(200);
  });
});

describe('bad requests get a 400 that names the field and the value', () => {
  const cases: [string, unknown, boolean, string][] = [
    ['not JSON', '{"instances": [', true, 'request body: not JSON'],
    ['not an object', [1, 2], false, 'request body: expected a JSON object {"instances": [...]}, received [1,2]'],
    ['no instances', {}, false, 'instances: expected a list of instances, received nothing'],
    ['instances not a list', { instances: 'a' }, false, 'instances: expected a list of instances, received "a"'],
    ['empty instances', { instances: [] }, false, 'instances: expected at least one instance, received []'],
    ['unknown top-level field', { instances: [instance(0)], instance: 1 }, false, 'instance: unknown field'],
    ['an instance not an object', { instances: [instance(0), 5] }, false, 'instances[1]: expected an object of features, received 5'],
    ['a wrong type', { instances: [{ ...instance(0), trip_miles: 'far' }] }, false, 'instances[0].trip_miles: expected a finite number or null, received "far"'],
    ['an integer feature given a fraction', { instances: [{ ...instance(0), trip_seconds: 1.5 }] }, false, 'instances[0].trip_seconds: expected an integer or null, received 1.5'],
    ['a category of the wrong type', { instances: [{ ...instance(0), payment_type: 3 }] }, false, 'instances[0].payment_type: expected a string or null, received 3'],
    ['a missing feature', { instances: [{ trip_miles: 1, payment_type: 'Cash' }] }, false, 'instances[0].trip_seconds: missing'],
    ['an unknown feature', { instances: [{ ...instance(0), trip_milez: 1 }] }, false, 'instances[0].trip_milez: unknown feature (the model takes trip_miles, trip_seconds, payment_type)'],
    ['a list of two values', { instances: [{ ...instance(0), trip_miles: [1, 2] }] }, false, 'instances[0].trip_miles: expected a value or a one-element list, received [1,2]'],
    ['too many instances', { instances: Array.from({ length: 11 }, (_, i) => instance(i)) }, false, 'instances: expected at most 10 instances, received 11'],
    ['parameters not an object', { instances: [instance(0)], parameters: 3 }, false, 'parameters: expected an object, received 3'],
  ];
  for (const [name, body, raw, message] of cases) {
    it(name, async () => {
      const server = await serve(async () => tinyPredictor(), { maxInstances: 10 });
      await server.loaded;
      const r = await post(server, body, raw);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(message);
      // Still serving.
      expect((await post(server, { instances: [instance(0)] })).status).toBe(200);
    });
  }

  it('a body larger than allowed', async () => {
    const server = await serve(async () => tinyPredictor(), { maxBodyBytes: 1000 });
    await server.loaded;
    const r = await post(server, { instances: Array.from({ length: 50 }, (_, i) => instance(i)) });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^request body: \d+ bytes, more than the 1000 allowed$/);
    expect((await post(server, { instances: [instance(0)] })).status).toBe(200);
  });

  it('wrong routes and methods', async () => {
    const server = await serve(async () => tinyPredictor());
    await server.loaded;
    const get = await fetch(`${server.url}/v1/predict`);
    expect(get.status).toBe(405);
    const other = await fetch(`${server.url}/nope`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    expect((await other.json() as { error: string }).error).toBe('/nope: no such route (predict: POST /v1/predict, health: GET /health)');
  });
});

describe('health', () => {
  it('is 503 while the model loads and 200 once it is loaded; predict waits for nothing and says so', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await serve(async () => {
      await gate;
      return tinyPredictor();
    });
    const before = await fetch(`${server.url}/health`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: 'loading' });
    const early = await post(server, { instances: [instance(0)] });
    expect(early).toEqual({ status: 503, body: { error: 'model is loading' } });
    release();
    await server.loaded;
    const after = await fetch(`${server.url}/health`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ok', model: 'tiny' });
  });

  it('stays 503 and reports why when the model fails to load', async () => {
    const server = await serve(async () => {
      throw new Error('model.json: not found');
    });
    await expect(server.loaded).rejects.toThrow('not found');
    const r = await fetch(`${server.url}/health`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'failed', error: 'model.json: not found' });
  });

  it('answers 500 (and keeps serving) when the model throws', async () => {
    let fail = true;
    const predictor = tinyPredictor();
    const server = await serve(async () => ({
      ...predictor,
      predict: async (rows) => {
        if (fail) throw new Error('kernel exploded');
        return predictor.predict(rows);
      },
    }));
    await server.loaded;
    expect(await post(server, { instances: [instance(0)] })).toEqual({ status: 500, body: { error: 'kernel exploded' } });
    fail = false;
    expect((await post(server, { instances: [instance(0)] })).status).toBe(200);
  });
});

describe('close', () => {
  it('finishes the requests in flight, then stops accepting', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const predictor = tinyPredictor();
    const server = await startPredictionServer({
      load: async () => ({ ...predictor, predict: async (rows) => { await gate; return predictor.predict(rows); } }),
      port: 0, host: '127.0.0.1', predictRoute: '/p', healthRoute: '/h', log,
    });
    await server.loaded;
    const inFlight = fetch(`${server.url}/p`, { method: 'POST', body: JSON.stringify({ instances: [instance(0)] }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closed;
    await expect(fetch(`${server.url}/h`)).rejects.toThrow();
  });
});

describe('micro-batching', () => {
  it('runs one model call at a time and gives the callers that arrived meanwhile one shared call', async () => {
    const predictor = tinyPredictor();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated: Predictor = { ...predictor, predict: async (rows) => { if (predictor.calls.length === 0) await gate; return predictor.predict(rows); } };
    const batch = createBatcher(gated, { maxBatchRows: 150 });
    const rows = Array.from({ length: 100 }, (_, i) => [applyTransform(TINY_TRANSFORM, instance(i)), applyTransform(TINY_TRANSFORM, instance(i + 1))]);
    const first = batch(rows[0]!);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = rows.slice(1).map((r) => batch(r));
    release();
    const all = await Promise.all([first, ...rest]);
    // The first caller alone, then the 99 waiting ones in batches of at most 150 rows, never split.
    expect(predictor.calls).toEqual([2, 150, 48]);
    all.forEach((scores, i) => expect(Array.from(scores)).toEqual(rows[i]!.map((r) => expect.closeTo(tinyScore(r), 6))));
  });
});
