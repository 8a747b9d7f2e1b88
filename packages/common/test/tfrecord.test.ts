// CRC-32C against the RFC 3720 (iSCSI) appendix B.4 vectors and a bit-at-a-time reference, TFRecord framing
// against a file TensorFlow wrote (TFX's stats_tfrecord) and against bytes built by hand.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { crc32c, decodeTfRecords, encodeTfRecords, looksLikeTfRecord, maskedCrc32c, TfRecordError } from '../src/tfrecord/index.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const range = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

/** CRC-32C one bit at a time (no table): an implementation independent of the one under test. */
function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// RFC 3720 B.4 lists the CRC bytes as sent (least significant first): "aa 36 91 8a" is 0x8a9136aa.
const RFC3720 = [
  { name: '32 bytes of zeros', data: new Uint8Array(32), crc: 0x8a9136aa },
  { name: '32 bytes of ones', data: new Uint8Array(32).fill(0xff), crc: 0x62a8ab43 },
  { name: '32 incrementing bytes', data: range(32, (i) => i), crc: 0x46dd794e },
  { name: '32 decrementing bytes', data: range(32, (i) => 31 - i), crc: 0x113fdb5c },
  {
    name: 'an iSCSI read command PDU',
    data: bytes(
      0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
      0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
    ),
    crc: 0xd9963a56,
  },
];

describe('crc32c', () => {
  it.each(RFC3720)('matches RFC 3720 B.4 for $name', ({ data, crc }) => {
    expect(crc32c(data)).toBe(crc);
    expect(referenceCrc32c(data)).toBe(crc);
  });

  it('has the CRC-32C check value and agrees with the bitwise reference on random data', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    let seed = 7;
    for (const n of [0, 1, 7, 8, 255, 4096]) {
      const data = range(n, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      expect(crc32c(data)).toBe(referenceCrc32c(data));
    }
  });

  it('masks as TensorFlow does: rotate right by 15, add 0xa282ead8', () => {
    const crc = 0xe3069283;
    const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe((rotated + 0xa282ead8) >>> 0);
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8); // crc32c of nothing is 0
  });
});

describe('TFRecord framing', () => {
  it('frames a record as length, masked CRC of the length, data, masked CRC of the data', () => {
    const data = new TextEncoder().encode('abc');
    const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    const length = bytes(3, 0, 0, 0, 0, 0, 0, 0);
    const expected = bytes(...length, ...le32(maskedCrc32c(length)), ...data, ...le32(maskedCrc32c(data)));
    expect(encodeTfRecords([data])).toEqual(expected);
    expect(decodeTfRecords(expected)).toEqual([data]);
    expect(looksLikeTfRecord(expected)).toBe(true);
  });

  it('reads a file TensorFlow wrote, checksums included, and reframes it byte for byte', async () => {
    const file = new Uint8Array(await readFile('/work/shared/conformance/tfx-taxi/components/testdata/statistics_gen_4caa308/Split-train/stats_tfrecord'));
    const records = decodeTfRecords(file);
    expect(records).toHaveLength(1);
    expect(encodeTfRecords(records)).toEqual(file);
  });

  it('round-trips several records, the empty one included', () => {
    const records = [new Uint8Array(0), range(300, (i) => i % 251), bytes(1)];
    expect(decodeTfRecords(encodeTfRecords(records))).toEqual(records);
  });

  it('refuses corrupt and truncated input, saying where', () => {
    const file = encodeTfRecords([range(40, (i) => i), range(10, (i) => i)]);
    const bad = file.slice();
    bad[20]! ^= 1;
    expect(() => decodeTfRecords(bad)).toThrow(new TfRecordError('TFRecord: bad data checksum in the record at byte 0'));
    const badLength = file.slice();
    badLength[56]! ^= 1;
    expect(() => decodeTfRecords(badLength)).toThrow(/bad length checksum at byte 56/);
    expect(() => decodeTfRecords(file.subarray(0, 60))).toThrow(/truncated record header at byte 56/);
    expect(() => decodeTfRecords(file.subarray(0, 80))).toThrow(/record at byte 56 claims 10 bytes, 8 left/);
  });
});
