// Reads an event file back (tests, run reports): every record's checksums verified, every record an Event.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { decodeTfRecords } from '../tfrecord/tfrecord.ts';
import { EventSchema, type Event } from './protos.ts';
import { EVENT_FILE_PREFIX } from './writer.ts';

export async function readEvents(file: string): Promise<Event[]> {
  const records = decodeTfRecords(new Uint8Array(await readFile(file)));
  return records.map((r, i) => {
    try {
      return fromBinary(EventSchema, r);
    } catch (err) {
      throw new Error(`${file}: record ${i} is not a tensorflow.Event (${(err as Error).message})`);
    }
  });
}

/** The event files of a log dir, in the order TensorBoard reads them (by name). */
export async function listEventFiles(logDir: string): Promise<string[]> {
  return (await readdir(logDir)).filter((n) => n.startsWith(EVENT_FILE_PREFIX)).sort().map((n) => join(logDir, n));
}
