// One shard, read to its end across failures: the read starts on the copy the balancer picks; when that
// copy fails (cannot open, a corrupt page, the file vanished, fewer rows than the shard's count) the read
// resumes on another copy at the first row not yet delivered, so no row is lost or served twice.
import type { ColumnChunk } from './chunk.ts';
import type { ShardSource, ShardStream } from './shard-source.ts';
import type { SourceBalancer, SourceFailure } from './sources.ts';

export class FeederError extends Error {
  override name = 'FeederError';
}

export class ShardReader {
  private stream: ShardStream | undefined;
  private source = -1;
  private delivered = 0;
  private readonly tried = new Set<number>();
  private readonly errors: string[] = [];
  private readonly balancer: SourceBalancer;
  private readonly shards: ShardSource;
  private readonly shard: number;
  private readonly expectedRows: number;
  private readonly onFailure: (f: SourceFailure) => void;

  constructor(balancer: SourceBalancer, shards: ShardSource, shard: number, expectedRows: number, onFailure: (f: SourceFailure) => void) {
    this.balancer = balancer;
    this.shards = shards;
    this.shard = shard;
    this.expectedRows = expectedRows;
    this.onFailure = onFailure;
  }

  /** The next rows of the shard, or null once all `expectedRows` were delivered. */
  async next(): Promise<ColumnChunk | null> {
    for (;;) {
      if (!this.stream) {
        const next = this.balancer.pick(this.tried);
        if (next === undefined) {
          throw new FeederError(`shard ${this.shard}: every copy failed at row ${this.delivered} of ${this.expectedRows}: ${this.errors.join('; ')}`);
        }
        this.source = next;
      }
      const file = this.balancer.file(this.source, this.shard);
      let chunk: ColumnChunk | null;
      const t0 = performance.now();
      try {
        if (!this.stream) {
          this.balancer.opened(this.source);
          try {
            this.stream = await this.shards.open(file, this.delivered);
          } catch (err) {
            this.balancer.closed(this.source);
            throw err;
          }
        }
        chunk = await this.stream.next();
        if (chunk === null && this.delivered < this.expectedRows) {
          throw new Error(`the copy ended after ${this.delivered} of the shard's ${this.expectedRows} rows`);
        }
      } catch (err) {
        this.fail(err);
        continue;
      }
      if (chunk === null) {
        this.release();
        return null;
      }
      this.balancer.measured(this.source, chunk.rows, (performance.now() - t0) / 1000);
      this.delivered += chunk.rows;
      if (this.delivered > this.expectedRows) {
        this.release();
        throw new FeederError(`${file}: more rows than the shard's ${this.expectedRows} (the copies differ)`);
      }
      // Progress: copies that failed earlier may be tried again if this one fails later.
      this.tried.clear();
      return chunk;
    }
  }

  private fail(err: unknown): void {
    const failure = this.balancer.failed(this.source, this.shard, err);
    this.errors.push(`${failure.source}: ${failure.error}`);
    this.tried.add(this.source);
    this.release();
    const next = this.balancer.pick(this.tried);
    if (next !== undefined) failure.retriedOn = this.balancer.name(next);
    this.onFailure(failure);
  }

  private release(): void {
    if (!this.stream) return;
    try {
      this.stream.close();
    } catch {
      // A copy that failed may fail to close too; its connection is dropped either way.
    }
    this.stream = undefined;
    this.balancer.closed(this.source);
  }

  close(): void {
    this.release();
  }
}
