// The feeder: an async generator of training batches over the preprocessed Parquet shards that takes
// feedback from the training loop at any step (batch size, the subpopulation mix, read-ahead depth), and
// balances its reads over mirrored copies of the data and over shards (see sources.ts, shard-reader.ts).
//
// Rows flow   shards --(PassStream: seeded shard order, round-robin interleave)--> staging (read-ahead)
//             --> per-stratum pools (the shuffle buffer) --> batches.
// * Unweighted (no weights): a batch is a uniform draw without replacement from the pooled rows; pools
//   are refilled to `shuffleBuffer` rows from staging but never across a pass boundary until they are
//   empty, so an epoch is exactly one pass: every row once (the last batch holds the remainder).
// * Weighted: stratified sampling through per-stratum buffers. Each row of a batch picks its stratum with
//   probability weight / sum of weights, then takes a uniformly drawn row of that stratum's pool; an empty
//   pool pulls the next staged rows (the data cycles over passes, so across epochs this is sampling with
//   replacement), a full pool (`shuffleBuffer` rows) replaces a random row. An epoch is as many rows as a pass.
// Feedback changes apply to the next batch drawn: staging holds decoded rows, not formed batches.
// Everything random comes from `seed`, and arrival order never matters, so a run replays exactly.
import { deriveSeed, mulberry32, parseField, shuffleInPlace } from '@formalize/common';
import type { BatchColumns, Column, ColumnChunk } from './chunk.ts';
import { allocBatch, RowPool } from './chunk.ts';
import type { FeederFeedback, FeederSettings, ResolvedFeederSettings, StratumWeights } from './options.ts';
import { feedbackSchema, feederSettingsSchema } from './options.ts';
import { PassStream } from './pass-stream.ts';
import { FeederError, ShardReader } from './shard-reader.ts';
import type { ShardSource } from './shard-source.ts';
import { duckdbShardSource, stratumOf } from './shard-source.ts';
import type { FeederSpec } from './spec.ts';
import type { SourceFailure, SourceStats } from './sources.ts';
import { SourceBalancer } from './sources.ts';

export interface Batch {
  readonly size: number;
  /** Feature columns by name, `size` long each. */
  readonly features: Readonly<Record<string, Column>>;
  readonly labels: Float32Array;
  /** Each row's stratum value: the slice column's vocabulary index, or the label. */
  readonly strata: Int32Array;
  /** 1-based epoch of the feeder, and the batch's global step (0-based). */
  readonly epoch: number;
  readonly step: number;
}

export interface FeederStats {
  batches: number;
  rows: number;
  epochs: number;
  /** Passes over the shards started by the reader. */
  passes: number;
  /** Rows dropped with dropRemainder. */
  dropped: number;
  /** Rows served per second of wall time since the first batch. */
  rowsPerSecond: number;
  /** Rows waiting in the pools and in staging. */
  pooled: number;
  staged: number;
  batchSize: number;
  prefetch: number;
  weights?: StratumWeights;
  sources: SourceStats[];
  failures: SourceFailure[];
}

export interface FeederLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface FeederOptions extends FeederSettings {
  spec: FeederSpec;
  /** Where shard bytes come from (default: DuckDB's read_parquet). */
  source?: ShardSource;
  /** Failovers are reported here as warnings. */
  log?: FeederLog;
  now?: () => number;
}

export interface EpochOptions {
  /** A fixed number of batches (warmup's steps per epoch); the data cycles as needed. Default: one pass. */
  steps?: number;
}

export interface Feeder {
  /** The batches of one epoch. One epoch at a time. */
  epoch(opts?: EpochOptions): AsyncGenerator<Batch, void, undefined>;
  /** Applies to the next batch drawn. */
  feedback(f: FeederFeedback): void;
  /** The batch size the next batch is drawn with. */
  readonly batchSize: number;
  /** Rows in one pass (all shards). */
  rowsPerPass(): Promise<number>;
  /** Rows per stratum value in the last complete pass (the current one before any completed). */
  strata(): Record<string, number>;
  stats(): FeederStats;
  close(): Promise<void>;
}

type Staged = { kind: 'rows'; chunk: ColumnChunk; pos: number } | { kind: 'end' };

interface EpochState {
  rows: number;
  batches: number;
  /** Unweighted epochs without fixed steps end at the pass end. */
  onePass: boolean;
}

export function createFeeder(options: FeederOptions): Feeder {
  const { spec, source, log, now, ...rest } = options;
  const settings = parseField(feederSettingsSchema, rest, 'feeder');
  return new FeederImpl(spec, settings, source, log, now ?? Date.now);
}

class FeederImpl implements Feeder {
  private readonly spec: FeederSpec;
  private readonly s: ResolvedFeederSettings;
  private readonly source: ShardSource;
  private readonly balancer: SourceBalancer;
  private readonly log: FeederLog | undefined;
  private readonly now: () => number;
  private readonly rand: () => number;

  private batch: number;
  private prefetch: number;
  private weights: { values: number[]; cumulative: number[]; raw: StratumWeights } | undefined;

  private shardRows: number[] | undefined;
  private totalRows = 0;
  private initializing: Promise<void> | undefined;

  private readonly pools = new Map<number, RowPool>();
  /** The pools again, as a list: the uniform draw walks it for every row. */
  private readonly poolList: RowPool[] = [];
  private pooled = 0;
  private readonly staging: Staged[] = [];
  private stagedRows = 0;
  private filling: Promise<void> | undefined;
  private broken: unknown;
  private pass: PassStream | undefined;
  private readPass = 0;
  private passStrata = new Map<number, number>();
  private lastPassStrata: Map<number, number> | undefined;

  private inEpoch = false;
  private epochs = 0;
  private batches = 0;
  private rows = 0;
  private dropped = 0;
  private firstBatchAt: number | undefined;
  private closed = false;

  constructor(spec: FeederSpec, s: ResolvedFeederSettings, source: ShardSource | undefined, log: FeederLog | undefined, now: () => number) {
    this.spec = spec;
    this.s = s;
    const strata = stratumOf(spec, s.sliceColumn);
    this.source = source ?? duckdbShardSource(spec, strata);
    this.balancer = new SourceBalancer(s.sources.map((src, i) => ({ name: src.mirror ?? `source-${i}`, shards: src.shards })), { cooldownMs: s.cooldownMs, now });
    this.log = log;
    this.now = now;
    this.rand = mulberry32(deriveSeed(s.seed, 0x5eed));
    this.batch = s.batchSize;
    this.prefetch = s.prefetch;
    this.setWeights(s.weights);
  }

  private setWeights(w: StratumWeights | null | undefined): void {
    if (!w) {
      this.weights = undefined;
      return;
    }
    const entries = Object.entries(w).filter(([, v]) => v > 0).map(([k, v]) => [Number(k), v] as const).sort((a, b) => a[0] - b[0]);
    let sum = 0;
    const cumulative = entries.map(([, v]) => (sum += v));
    this.weights = { values: entries.map(([k]) => k), cumulative, raw: { ...w } };
  }

  get batchSize(): number {
    return this.batch;
  }

  feedback(f: FeederFeedback): void {
    const fb = parseField(feedbackSchema, f, 'feedback');
    if (fb.batchSize !== undefined) this.batch = fb.batchSize;
    if (fb.prefetch !== undefined) this.prefetch = fb.prefetch;
    if (fb.weights !== undefined) this.setWeights(fb.weights);
  }

  // ---- setup: row counts per shard, from the first copy that answers ----

  private init(): Promise<void> {
    this.initializing ??= (async () => {
      const counts: number[] = [];
      const shards = this.s.sources[0]!.shards.length;
      for (let shard = 0; shard < shards; shard++) {
        const tried = new Set<number>();
        const errors: string[] = [];
        for (;;) {
          const i = this.balancer.pick(tried);
          if (i === undefined) throw new FeederError(`shard ${shard}: no copy has a readable footer: ${errors.join('; ')}`);
          try {
            counts.push(await this.source.count(this.balancer.file(i, shard)));
            break;
          } catch (err) {
            const failure = this.balancer.failed(i, shard, err);
            errors.push(`${failure.source}: ${failure.error}`);
            tried.add(i);
            const next = this.balancer.pick(tried);
            if (next !== undefined) failure.retriedOn = this.balancer.name(next);
            this.reportFailure(failure);
          }
        }
      }
      this.shardRows = counts;
      this.totalRows = counts.reduce((a, b) => a + b, 0);
      if (this.totalRows === 0) throw new FeederError(`the ${shards} shard(s) hold no rows`);
    })();
    return this.initializing;
  }

  async rowsPerPass(): Promise<number> {
    await this.init();
    return this.totalRows;
  }

  private reportFailure(f: SourceFailure): void {
    this.log?.warn('feeder: a copy of the data failed', { ...f });
  }

  // ---- reading: passes into staging, read ahead in the background ----

  private startPass(): PassStream {
    const order = shuffleInPlace(this.shardRows!.map((_, i) => i), mulberry32(deriveSeed(this.s.seed, this.readPass)));
    this.passStrata = new Map();
    return new PassStream(order, this.s.parallelReads, this.s.interleaveRows,
      (shard) => new ShardReader(this.balancer, this.source, shard, this.shardRows![shard]!, (f) => this.reportFailure(f)));
  }

  private async fillTo(target: number): Promise<void> {
    do {
      this.pass ??= this.startPass();
      const piece = await this.pass.next();
      if (this.closed) return;
      if (piece === null) {
        await this.pass.close();
        this.pass = undefined;
        this.readPass++;
        this.lastPassStrata = this.passStrata;
        this.staging.push({ kind: 'end' });
        continue;
      }
      for (let r = 0; r < piece.rows; r++) this.passStrata.set(piece.strata[r]!, (this.passStrata.get(piece.strata[r]!) ?? 0) + 1);
      this.staging.push({ kind: 'rows', chunk: piece, pos: 0 });
      this.stagedRows += piece.rows;
    } while (this.stagedRows < target);
  }

  private fill(target: number): Promise<void> {
    this.filling ??= this.fillTo(target).catch((err: unknown) => {
      this.broken ??= err;
    }).finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  private readAhead(): number {
    return this.prefetch * this.batch;
  }

  private async head(): Promise<Staged> {
    while (this.staging.length === 0) {
      if (this.broken) throw this.broken;
      await this.fill(Math.max(1, this.readAhead()));
    }
    if (this.broken) throw this.broken;
    return this.staging[0]!;
  }

  // ---- pools ----

  private pool(stratum: number): RowPool {
    let p = this.pools.get(stratum);
    if (!p) {
      this.pools.set(stratum, (p = new RowPool(this.spec)));
      this.poolList.push(p);
    }
    return p;
  }

  /** Moves up to `max` staged rows of the head item into the pools (weighted: evicting from full pools). */
  private admit(item: Extract<Staged, { kind: 'rows' }>, max: number, cap: number | undefined): void {
    const { chunk } = item;
    const end = Math.min(chunk.rows, item.pos + max);
    for (let r = item.pos; r < end; r++) {
      const p = this.pool(chunk.strata[r]!);
      if (cap !== undefined && p.size >= cap) {
        p.replace(Math.floor(this.rand() * p.size), chunk, r);
        continue;
      }
      p.push(chunk, r);
      this.pooled++;
    }
    this.stagedRows -= end - item.pos;
    item.pos = end;
    if (item.pos === chunk.rows) this.staging.shift();
  }

  /** Takes a uniformly drawn pooled row (any stratum) into `out[j]`. */
  private takeUniform(out: BatchColumns, j: number): void {
    let r = Math.floor(this.rand() * this.pooled);
    for (let k = 0; k < this.poolList.length; k++) {
      const p = this.poolList[k]!;
      if (r < p.size) {
        p.take(r, out, j);
        this.pooled--;
        return;
      }
      r -= p.size;
    }
    throw new Error('unreachable: pool accounting');
  }

  private sampleStratum(): number {
    const w = this.weights!;
    const x = this.rand() * w.cumulative[w.cumulative.length - 1]!;
    let lo = 0;
    let hi = w.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < w.cumulative[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return w.values[lo]!;
  }

  // ---- batches ----

  /** The next batch of at most `limit` rows, or null when an unweighted one-pass epoch reached the pass end. */
  private async draw(epoch: EpochState, limit: number): Promise<Batch | null> {
    for (;;) {
      const want = Math.min(this.batch, limit);
      const out = allocBatch(this.spec, want);
      let n = 0;
      if (!this.weights) {
        const target = Math.max(this.s.shuffleBuffer, want);
        while (this.pooled < target) {
          const item = await this.head();
          if (item.kind === 'end') {
            if (this.pooled > 0) break;
            this.staging.shift();
            if (epoch.onePass && epoch.rows > 0) return null;
            continue;
          }
          this.admit(item, target - this.pooled, undefined);
        }
        n = Math.min(want, this.pooled);
        for (let j = 0; j < n; j++) this.takeUniform(out, j);
        if (n < want && this.s.dropRemainder) {
          this.dropped += n;
          continue;
        }
      } else {
        const cap = Math.max(this.s.shuffleBuffer, want);
        for (; n < want; n++) {
          const stratum = this.sampleStratum();
          let p = this.pools.get(stratum);
          let passEnds = 0;
          while (!p || p.size === 0) {
            const item = await this.head();
            if (item.kind === 'end') {
              this.staging.shift();
              // Two pass ends while looking: a whole pass went by without a row of this stratum.
              if (++passEnds === 2) throw new FeederError(`weights: no row has ${this.s.sliceColumn ?? this.spec.label} = ${stratum} (a whole pass was read); weigh only values the data holds: ${Object.keys(this.strata()).join(', ')}`);
              continue;
            }
            this.admit(item, item.chunk.rows, cap);
            p = this.pools.get(stratum);
          }
          p.take(Math.floor(this.rand() * p.size), out, n);
          this.pooled--;
        }
      }
      if (this.stagedRows < this.readAhead()) void this.fill(this.readAhead());
      return this.makeBatch(out, n);
    }
  }

  private makeBatch(out: BatchColumns, n: number): Batch {
    const features: Record<string, Column> = {};
    this.spec.features.forEach((f, k) => {
      features[f.name] = n === out.labels.length ? out.columns[k]! : out.columns[k]!.subarray(0, n);
    });
    const full = n === out.labels.length;
    return {
      size: n, features,
      labels: full ? out.labels : out.labels.subarray(0, n),
      strata: full ? out.strata : out.strata.subarray(0, n),
      epoch: this.epochs, step: this.batches,
    };
  }

  async *epoch(opts: EpochOptions = {}): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new FeederError('the feeder is closed');
    if (this.inEpoch) throw new FeederError('an epoch is already running: finish it (or return from it) before starting the next');
    const steps = opts.steps;
    if (steps !== undefined && (!Number.isSafeInteger(steps) || steps < 1)) throw new RangeError(`steps: expected a positive integer, received ${steps}`);
    this.inEpoch = true;
    try {
      await this.init();
      this.epochs++;
      const state: EpochState = { rows: 0, batches: 0, onePass: steps === undefined };
      while (steps === undefined || state.batches < steps) {
        // Weighted epochs without fixed steps are as long as a pass.
        const limit = steps === undefined && this.weights ? this.totalRows - state.rows : Infinity;
        if (limit <= 0) break;
        state.onePass = steps === undefined && !this.weights;
        const b = await this.draw(state, limit);
        if (!b) break;
        state.rows += b.size;
        state.batches++;
        this.batches++;
        this.rows += b.size;
        this.firstBatchAt ??= this.now();
        yield b;
      }
    } finally {
      this.inEpoch = false;
    }
  }

  strata(): Record<string, number> {
    const m = this.lastPassStrata ?? this.passStrata;
    return Object.fromEntries([...m].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]));
  }

  stats(): FeederStats {
    const seconds = this.firstBatchAt === undefined ? 0 : (this.now() - this.firstBatchAt) / 1000;
    return {
      batches: this.batches, rows: this.rows, epochs: this.epochs, passes: this.readPass + (this.pass ? 1 : 0), dropped: this.dropped,
      rowsPerSecond: seconds > 0 ? this.rows / seconds : 0,
      pooled: this.pooled, staged: this.stagedRows, batchSize: this.batch, prefetch: this.prefetch,
      ...(this.weights && { weights: { ...this.weights.raw } }),
      sources: this.balancer.stats(),
      failures: this.balancer.failures.map((f) => ({ ...f })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.filling;
    await this.pass?.close();
    this.pass = undefined;
    await this.source.close();
  }
}
