// A TensorBoard event file writer: `events.out.tfevents.<unix seconds>.<hostname>[.<pid>[.<n>]][<suffix>]` in the
// log dir, a TFRecord stream of serialized Events whose first record is the `brain.Event:2` file-version event
// (what TensorFlow's EventsWriter writes first and TensorBoard's loader expects), then one Summary event per
// scalar point. Points are buffered and appended on flush(); a file only ever grows by whole records, so a reader
// polling it (TensorBoard, the Vertex TensorBoard uploader) never sees a torn record.
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { encodeTfRecords } from '../tfrecord/tfrecord.ts';
import { describeValue } from '../executor/errors.ts';
import { EventSchema, type Event } from './protos.ts';
import { scalarEvent } from './scalar.ts';

export const FILE_VERSION = 'brain.Event:2';
export const EVENT_FILE_PREFIX = 'events.out.tfevents.';

export interface EventWriterOptions {
  /** Appended to the file name, e.g. `.v2` (TF2's default) or `.train`. */
  suffix?: string;
  /** Wall clock in milliseconds (tests pin it). */
  now?: () => number;
  /** The host named in the file name (default: this machine's). */
  hostname?: string;
}

export interface EventWriter {
  /** The event file being written. */
  readonly path: string;
  /** Buffers one scalar point; written by the next flush(). NaN and infinities are kept (a diverging loss is news). */
  scalar(tag: string, value: number, step: number): void;
  /** Appends the buffered points to the file. */
  flush(): Promise<void>;
  /** Flushes and closes the file; the writer accepts nothing after. */
  close(): Promise<void>;
}

export class EventWriterError extends Error {
  override name = 'EventWriterError';
}

const SUFFIX = /^[A-Za-z0-9._-]*$/;

/** File names to try: the plain one, then with the pid, then pid and a counter (two writers in one second). */
function* candidateNames(secs: number, host: string, suffix: string): Generator<string> {
  const base = `${EVENT_FILE_PREFIX}${secs}.${host}`;
  yield `${base}${suffix}`;
  yield `${base}.${process.pid}${suffix}`;
  for (let n = 1; ; n++) yield `${base}.${process.pid}.${n}${suffix}`;
}

async function createExclusive(logDir: string, secs: number, host: string, suffix: string): Promise<{ path: string; file: FileHandle }> {
  for (const name of candidateNames(secs, host, suffix)) {
    const path = join(logDir, name);
    try {
      return { path, file: await open(path, 'wx') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new EventWriterError(`${path}: cannot create the event file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  throw new EventWriterError('unreachable: the candidate names are endless');
}

const frame = (events: readonly Event[]) => encodeTfRecords(events.map((e) => toBinary(EventSchema, e)));

/** Creates the log dir if needed and a new event file in it, holding the file-version event. */
export async function createEventWriter(logDir: string, opts: EventWriterOptions = {}): Promise<EventWriter> {
  const suffix = opts.suffix ?? '';
  if (!SUFFIX.test(suffix)) throw new EventWriterError(`suffix: expected letters, digits, ".", "_" or "-", received ${describeValue(suffix)}`);
  // The host becomes part of a file name: keep it to characters that are safe there.
  const host = (opts.hostname ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
  const now = opts.now ?? Date.now;
  await mkdir(logDir, { recursive: true });
  const started = now();
  const { path, file } = await createExclusive(logDir, Math.floor(started / 1000), host, suffix);
  let pending: Event[] = [];
  let closed = false;
  // Appends run one after another, so records never interleave.
  let tail: Promise<void> = Promise.resolve();
  const append = (events: Event[]): Promise<void> => {
    const bytes = frame(events);
    const write = tail.then(async () => {
      await file.write(bytes);
      await file.datasync();
    });
    tail = write.catch(() => {});
    return write;
  };
  try {
    await append([create(EventSchema, { wallTime: started / 1000, what: { case: 'fileVersion', value: FILE_VERSION } })]);
  } catch (err) {
    await file.close();
    throw err;
  }

  const flush = (): Promise<void> => {
    const events = pending;
    pending = [];
    return events.length ? append(events) : tail;
  };
  return {
    path,
    scalar(tag, value, step) {
      if (closed) throw new EventWriterError(`${path}: scalar(${JSON.stringify(tag)}) after close()`);
      if (typeof tag !== 'string' || tag === '') throw new EventWriterError(`tag: expected a non-empty string, received ${describeValue(tag)}`);
      if (typeof value !== 'number') throw new EventWriterError(`${tag}: value: expected a number, received ${describeValue(value)}`);
      if (!Number.isSafeInteger(step) || step < 0) throw new EventWriterError(`${tag}: step: expected a non-negative integer, received ${describeValue(step)}`);
      pending.push(scalarEvent(tag, value, step, now() / 1000));
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await flush();
      } finally {
        await file.close();
      }
    },
  };
}
