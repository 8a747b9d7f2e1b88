// TFRecord framing (tensorflow/core/lib/io/record_writer.cc): per record
// `uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)`, little-endian, uncompressed.
// TFDV's `load_statistics` and TFX < 0.29 StatisticsGen use a one-record file holding the serialized statistics;
// TensorBoard event files are TFRecords of serialized `tensorflow.Event`s.
import { maskedCrc32c } from './crc32c.ts';

export class TfRecordError extends Error {
  override name = 'TfRecordError';
}

export function encodeTfRecords(records: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(records.reduce((n, r) => n + 16 + r.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setBigUint64(at, BigInt(r.length), true);
    view.setUint32(at + 8, maskedCrc32c(out.subarray(at, at + 8)), true);
    out.set(r, at + 12);
    view.setUint32(at + 12 + r.length, maskedCrc32c(r), true);
    at += 16 + r.length;
  }
  return out;
}

/** Whether the bytes start with a TFRecord header whose length checksum holds. */
export function looksLikeTfRecord(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(8, true) === maskedCrc32c(bytes.subarray(0, 8)) && view.getBigUint64(0, true) <= BigInt(bytes.length - 16);
}

/** Every record of a TFRecord file, each checksum verified. */
export function decodeTfRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 16) throw new TfRecordError(`TFRecord: truncated record header at byte ${at} (${bytes.length - at} bytes left)`);
    const length = view.getBigUint64(at, true);
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) throw new TfRecordError(`TFRecord: bad length checksum at byte ${at}`);
    if (length > BigInt(bytes.length - at - 16)) throw new TfRecordError(`TFRecord: record at byte ${at} claims ${length} bytes, ${bytes.length - at - 16} left`);
    const n = Number(length);
    const data = bytes.subarray(at + 12, at + 12 + n);
    if (view.getUint32(at + 12 + n, true) !== maskedCrc32c(data)) throw new TfRecordError(`TFRecord: bad data checksum in the record at byte ${at}`);
    out.push(data);
    at += 16 + n;
  }
  return out;
}
