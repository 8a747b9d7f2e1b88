// One pass over all shards: shards in a seeded order, `parallel` of them open at once (each reading one
// chunk ahead), their rows interleaved round-robin in fixed runs of `quantum` rows. The interleaving depends
// only on the order and the row counts, never on which copy answered first or how chunks were cut, so a pass
// replays exactly from its seed, failovers included.
import type { ColumnChunk } from './chunk.ts';
import { sliceChunk } from './chunk.ts';
import type { ShardReader } from './shard-reader.ts';

type Fetched = { ok: true; chunk: ColumnChunk | null } | { ok: false; error: unknown };

interface Slot {
  reader: ShardReader;
  queue: ColumnChunk[];
  /** Rows of queue[0] already emitted. */
  offset: number;
  pending: Promise<Fetched> | undefined;
  done: boolean;
}

export class PassStream {
  private readonly order: number[];
  private readonly open: (shard: number) => ShardReader;
  private readonly quantum: number;
  private readonly slots: Slot[] = [];
  private turn = 0;
  private takenThisTurn = 0;
  private nextShard = 0;

  constructor(order: number[], parallel: number, quantum: number, open: (shard: number) => ShardReader) {
    this.order = order;
    this.open = open;
    this.quantum = quantum;
    while (this.slots.length < parallel && this.nextShard < order.length) this.slots.push(this.startSlot());
  }

  private startSlot(): Slot {
    const slot: Slot = { reader: this.open(this.order[this.nextShard++]!), queue: [], offset: 0, pending: undefined, done: false };
    this.fetch(slot);
    return slot;
  }

  private fetch(slot: Slot): void {
    slot.pending = slot.reader.next().then((chunk): Fetched => ({ ok: true, chunk }), (error: unknown): Fetched => ({ ok: false, error }));
  }

  /** The next run of rows (at most `quantum`), or null when the pass is over. */
  async next(): Promise<ColumnChunk | null> {
    for (;;) {
      if (this.slots.length === 0) return null;
      if (this.turn >= this.slots.length) this.turn = 0;
      const slot = this.slots[this.turn]!;
      if (slot.queue.length === 0 && !slot.done) {
        const got = await slot.pending!;
        if (!got.ok) throw got.error;
        if (got.chunk === null) slot.done = true;
        else {
          slot.queue.push(got.chunk);
          this.fetch(slot);
        }
        continue;
      }
      if (slot.queue.length === 0) {
        // This shard is finished: the next shard takes its slot (and its turn).
        if (this.nextShard < this.order.length) this.slots[this.turn] = this.startSlot();
        else this.slots.splice(this.turn, 1);
        this.takenThisTurn = 0;
        continue;
      }
      const head = slot.queue[0]!;
      const n = Math.min(head.rows - slot.offset, this.quantum - this.takenThisTurn);
      const piece = sliceChunk(head, slot.offset, slot.offset + n);
      slot.offset += n;
      if (slot.offset === head.rows) {
        slot.queue.shift();
        slot.offset = 0;
      }
      this.takenThisTurn += n;
      if (this.takenThisTurn === this.quantum) {
        this.takenThisTurn = 0;
        this.turn++;
      }
      return piece;
    }
  }

  /** Stops every open read once its chunk in flight has landed (closing under a running fetch is not safe). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.pending));
    for (const s of slots) s.reader.close();
  }
}
