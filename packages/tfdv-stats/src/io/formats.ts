// The forms TFDV, TFX and Facets read and write a tensorflow_metadata message in: binary (`.pb`, TFX's
// FeatureStats.pb, Facets' input), a one-record TFRecord (`stats_tfrecord`, what `tfdv.load_statistics` tries
// first), protobuf text format (`.pbtxt`, TFDV's schema and anomalies files) and proto3 JSON (`.json`). Works
// for any message (statistics, schema, anomalies); the reader accepts every form and tells them apart itself.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { fromBinary, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import { fromText, toText } from '@bufbuild/protobuf/txtpb';
import { writeFileAtomic } from '@formalize/common';
import { decodeTfRecords, encodeTfRecords, looksLikeTfRecord } from '@formalize/common/tfrecord';

export type ProtoFormat = 'binary' | 'tfrecord' | 'text' | 'json';

export const PROTO_FORMATS: readonly ProtoFormat[] = ['binary', 'tfrecord', 'text', 'json'];

export class ProtoFormatError extends Error {
  override name = 'ProtoFormatError';
}

export function encodeMessage<D extends DescMessage>(schema: D, msg: MessageShape<D>, format: ProtoFormat): Uint8Array {
  switch (format) {
    case 'binary': return toBinary(schema, msg);
    case 'tfrecord': return encodeTfRecords([toBinary(schema, msg)]);
    case 'text': return new TextEncoder().encode(toText(schema, msg));
    case 'json': return new TextEncoder().encode(`${JSON.stringify(toJson(schema, msg), null, 2)}\n`);
  }
}

/** The format a file name implies: `.pb`/`.binpb`, `*tfrecord*`, `.pbtxt`/`.textproto`/`.txt`, `.json`. */
export function formatOfName(path: string): ProtoFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name.includes('tfrecord')) return 'tfrecord';
  if (/\.(pb|binpb)$/.test(name)) return 'binary';
  if (/\.(pbtxt|textproto|txtpb|txt)$/.test(name)) return 'text';
  if (name.endsWith('.json')) return 'json';
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Text when the bytes are UTF-8 without control characters other than whitespace; `{` first means JSON. */
export function detectFormat(bytes: Uint8Array): ProtoFormat {
  if (looksLikeTfRecord(bytes)) return 'tfrecord';
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return 'binary';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text)) return 'binary';
  return text.trimStart().startsWith('{') ? 'json' : 'text';
}

export function decodeMessage<D extends DescMessage>(schema: D, bytes: Uint8Array, format: ProtoFormat = detectFormat(bytes)): MessageShape<D> {
  try {
    switch (format) {
      case 'binary': return fromBinary(schema, bytes);
      case 'tfrecord': {
        const records = decodeTfRecords(bytes);
        if (records.length !== 1) throw new ProtoFormatError(`expected one record, found ${records.length}`);
        return fromBinary(schema, records[0]!);
      }
      case 'text': return fromText(schema, UTF8.decode(bytes));
      case 'json': return fromJson(schema, JSON.parse(UTF8.decode(bytes)));
    }
  } catch (err) {
    throw new ProtoFormatError(`cannot read ${schema.typeName} as ${format}: ${(err as Error).message}`);
  }
}

/** Writes a message to `path` (temp name, then rename) in `format`, by default the one the name implies. */
export async function writeMessageFile<D extends DescMessage>(path: string, schema: D, msg: MessageShape<D>, format?: ProtoFormat): Promise<void> {
  const f = format ?? formatOfName(path);
  if (!f) throw new ProtoFormatError(`${path}: cannot tell the format from the name; pass one of ${PROTO_FORMATS.join(', ')}`);
  await writeFileAtomic(path, encodeMessage(schema, msg, f));
}

/** Reads a message in any of the forms: by content, so a misnamed file still reads. */
export async function readMessageFile<D extends DescMessage>(path: string, schema: D): Promise<MessageShape<D>> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return decodeMessage(schema, bytes);
  } catch (err) {
    throw new ProtoFormatError(`${path}: ${(err as Error).message}`);
  }
}
