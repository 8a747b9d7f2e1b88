// Load balancing over mirrored copies of the data. Every source holds the same shards (shard i of one
// copy has the same rows in the same order as shard i of another); each shard read goes to the copy with
// the lowest expected cost, seconds per row measured on that copy (EWMA) times one plus its open reads, so a
// slow or busy copy gets less work. A copy that fails is marked down for `cooldownMs` and its read moves to
// another copy; once the cool-down has passed it gets traffic again (a probe), so a transient failure heals.

/** What the balancer knows about one copy. */
export interface SourceStats {
  name: string;
  state: 'up' | 'down';
  /** Shard reads opened on this copy. */
  reads: number;
  /** Reads open right now. */
  inFlight: number;
  rows: number;
  failures: number;
  /** Measured decode latency per row (EWMA), undefined before the first chunk. */
  secondsPerRow?: number;
  /** rows / seconds spent waiting on this copy. */
  rowsPerSecond?: number;
  lastError?: string;
}

export interface SourceFailure {
  source: string;
  shard: number;
  file: string;
  error: string;
  /** Where the read went next (undefined when no copy was left). */
  retriedOn?: string;
  time: string;
}

interface State {
  name: string;
  shards: readonly string[];
  downUntil: number;
  reads: number;
  inFlight: number;
  rows: number;
  seconds: number;
  failures: number;
  ewma: number | undefined;
  lastError?: string;
}

const EWMA_ALPHA = 0.3;

export class SourceBalancer {
  private readonly states: State[];
  private readonly cooldownMs: number;
  private readonly now: () => number;
  readonly failures: SourceFailure[] = [];

  constructor(sources: readonly { name: string; shards: readonly string[] }[], opts: { cooldownMs: number; now?: () => number }) {
    this.states = sources.map((s) => ({ name: s.name, shards: s.shards, downUntil: 0, reads: 0, inFlight: 0, rows: 0, seconds: 0, failures: 0, ewma: undefined }));
    this.cooldownMs = opts.cooldownMs;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.states.length;
  }

  file(source: number, shard: number): string {
    return this.states[source]!.shards[shard]!;
  }

  name(source: number): string {
    return this.states[source]!.name;
  }

  /**
   * The copy to read a shard from next, skipping `tried` (copies that already failed this read); a copy
   * that is down only when nothing up is left. Undefined when every copy was tried.
   */
  pick(tried: ReadonlySet<number>): number | undefined {
    const t = this.now();
    let best: number | undefined;
    let bestKey: [number, number, number] | undefined;
    for (let i = 0; i < this.states.length; i++) {
      if (tried.has(i)) continue;
      const s = this.states[i]!;
      // Unmeasured copies cost 0: each is tried once before the measurements decide.
      const key: [number, number, number] = [s.downUntil > t ? 1 : 0, (s.ewma ?? 0) * (1 + s.inFlight), s.reads];
      if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
        best = i;
        bestKey = key;
      }
    }
    return best;
  }

  opened(source: number): void {
    const s = this.states[source]!;
    s.reads++;
    s.inFlight++;
  }

  closed(source: number): void {
    this.states[source]!.inFlight--;
  }

  /** A chunk of `rows` arrived after `seconds` of waiting. */
  measured(source: number, rows: number, seconds: number): void {
    const s = this.states[source]!;
    s.rows += rows;
    s.seconds += seconds;
    if (rows > 0) {
      const perRow = seconds / rows;
      s.ewma = s.ewma === undefined ? perRow : EWMA_ALPHA * perRow + (1 - EWMA_ALPHA) * s.ewma;
    }
  }

  /** Marks the copy down and records the failure; the caller fills in `retriedOn` once it picked the next copy. */
  failed(source: number, shard: number, error: unknown): SourceFailure {
    const s = this.states[source]!;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    s.failures++;
    s.lastError = message;
    s.downUntil = this.now() + this.cooldownMs;
    const failure: SourceFailure = {
      source: s.name, shard, file: s.shards[shard]!, error: message, time: new Date(this.now()).toISOString(),
    };
    this.failures.push(failure);
    return failure;
  }

  stats(): SourceStats[] {
    const t = this.now();
    return this.states.map((s) => ({
      name: s.name,
      state: s.downUntil > t ? 'down' : 'up',
      reads: s.reads,
      inFlight: s.inFlight,
      rows: s.rows,
      failures: s.failures,
      ...(s.ewma !== undefined && { secondsPerRow: s.ewma }),
      ...(s.seconds > 0 && { rowsPerSecond: s.rows / s.seconds }),
      ...(s.lastError !== undefined && { lastError: s.lastError }),
    }));
  }
}
