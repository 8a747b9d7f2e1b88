// Statistics, schema and anomalies in every form TFDV, TFX and Facets use: the shared TFX/TFDV files read to the
// same message whatever their form, and what we write reads back (byte-identical where the form is deterministic).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescMessage } from '@bufbuild/protobuf';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { crc32c, decodeTfRecords, encodeTfRecords, maskedCrc32c } from '@formalize/common/tfrecord';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSchema, readStatistics, writeSchemaFolder, writeStatisticsFolder } from '../src/io/artifacts.ts';
import type { ProtoFormat } from '../src/io/formats.ts';
import { decodeMessage, detectFormat, encodeMessage, readMessageFile, writeMessageFile } from '../src/io/formats.ts';
import { AnomaliesSchema, DatasetFeatureStatisticsListSchema, SchemaSchema } from '../src/protos.ts';

const TFDV = '/work/shared/conformance/tfdv/samples/tfx_chicago_taxi_Split-train';
const TFX = '/work/shared/conformance/tfx-taxi/components';
const STATS_TFRECORD = [`${TFX}/testdata/statistics_gen_4caa308/Split-train`, `${TFX}/testdata/statistics_gen_4caa308/Split-eval`, `${TFX}/testdata/statistics_gen_97966ee/Split-train`, `${TFX}/testdata/statistics_gen_97966ee/Split-eval`];
const FORMATS: ProtoFormat[] = ['binary', 'tfrecord', 'text', 'json'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'io-formats-'));
});

const bytesOf = async (path: string) => new Uint8Array(await readFile(path));
/** Messages compared through their binary encoding: float fields parsed from text are float32 only on the wire. */
const binary = <D extends DescMessage>(schema: D, path: string) => readMessageFile(path, schema).then((m) => toBinary(schema, m));

describe('CRC-32C and TFRecord framing', () => {
  it('computes the standard CRC-32C check value and TFRecord masking', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 zero bytes
    const crc = 0xe3069283;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it.each(STATS_TFRECORD)('reframes the record of %s byte for byte', async (dir) => {
    const file = await bytesOf(join(dir, 'stats_tfrecord'));
    const records = decodeTfRecords(file);
    expect(records).toHaveLength(1);
    expect(encodeTfRecords(records)).toEqual(file);
  });

  it('refuses a record whose checksum does not hold, and truncated files', async () => {
    const file = await bytesOf(join(STATS_TFRECORD[0]!, 'stats_tfrecord'));
    const bad = file.slice();
    bad[100]! ^= 0xff;
    expect(() => decodeTfRecords(bad)).toThrow(/bad data checksum in the record at byte 0/);
    expect(() => decodeTfRecords(file.subarray(0, 10))).toThrow(/truncated record header/);
    expect(() => decodeTfRecords(file.subarray(0, 1000))).toThrow(/claims \d+ bytes/);
    expect(encodeTfRecords([])).toEqual(new Uint8Array(0));
  });
});

describe('reading the shared statistics', () => {
  it('FeatureStats.pb, .pbtxt and .json of real TFX output are the same message', async () => {
    const pb = await bytesOf(join(TFDV, 'FeatureStats.pb'));
    for (const name of ['FeatureStats.pb', 'FeatureStats.pbtxt', 'FeatureStats.json']) {
      expect(await binary(DatasetFeatureStatisticsListSchema, join(TFDV, name)), name).toEqual(pb);
    }
    const stats = await readStatistics(TFDV);
    expect(stats.datasets[0]!.numExamples).toBe(10036n);
    expect(stats.datasets[0]!.features).toHaveLength(18);
  });

  it.each(STATS_TFRECORD)('stats_tfrecord, .pbtxt and .json of %s are the same message', async (dir) => {
    const record = decodeTfRecords(await bytesOf(join(dir, 'stats_tfrecord')))[0]!;
    for (const name of ['stats_tfrecord', 'FeatureStats.pbtxt', 'FeatureStats.json']) {
      expect(await binary(DatasetFeatureStatisticsListSchema, join(dir, name)), name).toEqual(record);
    }
    expect(toBinary(DatasetFeatureStatisticsListSchema, await readStatistics(dir))).toEqual(record);
  });

  it('tells the forms apart by content, so a misnamed file still reads', async () => {
    const pb = await bytesOf(join(TFDV, 'FeatureStats.pb'));
    expect(detectFormat(pb)).toBe('binary');
    expect(detectFormat(await bytesOf(join(TFDV, 'FeatureStats.pbtxt')))).toBe('text');
    expect(detectFormat(await bytesOf(join(TFDV, 'FeatureStats.json')))).toBe('json');
    expect(detectFormat(await bytesOf(join(STATS_TFRECORD[0]!, 'stats_tfrecord')))).toBe('tfrecord');
    const misnamed = join(tmp, 'stats.json');
    await writeFile(misnamed, await readFile(join(TFDV, 'FeatureStats.pbtxt')));
    expect(await binary(DatasetFeatureStatisticsListSchema, misnamed)).toEqual(pb);
  });

  it('names the file and the form it could not read', async () => {
    const broken = join(tmp, 'broken.pbtxt');
    await writeFile(broken, 'datasets { num_examples: "many" }');
    await expect(readStatistics(broken)).rejects.toThrow(/broken\.pbtxt: cannot read tensorflow\.metadata\.v0\.DatasetFeatureStatisticsList as text/);
    await expect(readStatistics(tmp)).rejects.toThrow(/a folder without FeatureStats\.pb/);
  });
});

describe('writing', () => {
  it.each(FORMATS)('statistics as %s read back to the shared message', async (format) => {
    const pb = await bytesOf(join(TFDV, 'FeatureStats.pb'));
    const msg = fromBinary(DatasetFeatureStatisticsListSchema, pb);
    const path = join(tmp, `written.${format}`);
    await writeMessageFile(path, DatasetFeatureStatisticsListSchema, msg, format);
    const written = await bytesOf(path);
    expect(detectFormat(written)).toBe(format);
    expect(toBinary(DatasetFeatureStatisticsListSchema, decodeMessage(DatasetFeatureStatisticsListSchema, written))).toEqual(pb);
    // Binary and TFRecord are deterministic: byte-identical to what TFX wrote.
    if (format === 'binary') expect(written).toEqual(pb);
    if (format === 'tfrecord') expect(decodeTfRecords(written)[0]).toEqual(pb);
  });

  it('the 0.21 statistics as TFRecord are byte-identical to the shared stats_tfrecord', async () => {
    const file = await bytesOf(join(STATS_TFRECORD[0]!, 'stats_tfrecord'));
    const msg = await readMessageFile(join(STATS_TFRECORD[0]!, 'FeatureStats.json'), DatasetFeatureStatisticsListSchema);
    expect(encodeMessage(DatasetFeatureStatisticsListSchema, msg, 'tfrecord')).toEqual(file);
  });

  it('writes text format with TFDV field names and non-finite numbers TFDV parses', async () => {
    const msg = decodeMessage(DatasetFeatureStatisticsListSchema, new TextEncoder().encode(
      'datasets { num_examples: 3 features { path { step: "a" } type: FLOAT num_stats { mean: nan min: -inf max: inf common_stats { avg_num_values: 0.66052210 } } } }'), 'text');
    const text = new TextDecoder().decode(encodeMessage(DatasetFeatureStatisticsListSchema, msg, 'text'));
    expect(text).toMatch(/num_examples: 3/);
    expect(text).toMatch(/mean: nan/);
    expect(text).toMatch(/min: -inf/);
    expect(text).toMatch(/max: inf/);
    expect(text).toMatch(/step: "a"/);
    const json = JSON.parse(new TextDecoder().decode(encodeMessage(DatasetFeatureStatisticsListSchema, msg, 'json')));
    expect(json.datasets[0].numExamples).toBe('3');
    expect(json.datasets[0].features[0].numStats).toMatchObject({ mean: 'NaN', min: '-Infinity', max: 'Infinity' });
  });

  it('the statistics folder holds FeatureStats.pb/.pbtxt/.json, complete or not at all', async () => {
    const msg = await readStatistics(TFDV);
    const dir = join(tmp, 'artifact', 'statistics');
    await writeStatisticsFolder(dir, msg);
    expect((await readdir(dir)).sort()).toEqual(['FeatureStats.json', 'FeatureStats.pb', 'FeatureStats.pbtxt']);
    expect(await bytesOf(join(dir, 'FeatureStats.pb'))).toEqual(await bytesOf(join(TFDV, 'FeatureStats.pb')));
    for (const f of ['FeatureStats.pbtxt', 'FeatureStats.json']) {
      expect(await binary(DatasetFeatureStatisticsListSchema, join(dir, f)), f).toEqual(await bytesOf(join(TFDV, 'FeatureStats.pb')));
    }
    // A non-empty target is refused and left alone; no temp folder stays behind.
    const taken = join(tmp, 'artifact', 'taken');
    await mkdir(taken);
    await writeFile(join(taken, 'keep.txt'), 'x');
    await expect(writeStatisticsFolder(taken, msg)).rejects.toThrow(/ENOTEMPTY|EEXIST/);
    expect(await readdir(taken)).toEqual(['keep.txt']);
    expect((await readdir(join(tmp, 'artifact'))).sort()).toEqual(['statistics', 'taken']);
  });
});

describe('schema and anomalies', () => {
  it('the SchemaGen schema reads the same from text and JSON, and round-trips through every form', async () => {
    const dir = `${TFX}/testdata/schema_gen`;
    const fromText = await binary(SchemaSchema, join(dir, 'schema.pbtxt'));
    expect(await binary(SchemaSchema, join(dir, 'schema.json'))).toEqual(fromText);
    const schema = await readSchema(dir);
    expect(schema.feature.map((f) => f.name)).toContain('company');
    for (const format of FORMATS) {
      expect(toBinary(SchemaSchema, decodeMessage(SchemaSchema, encodeMessage(SchemaSchema, schema, format))), format).toEqual(fromText);
    }
    const out = join(tmp, 'schema-artifact');
    await writeSchemaFolder(out, schema);
    expect((await readdir(out)).sort()).toEqual(['schema.json', 'schema.pbtxt']);
    expect(toBinary(SchemaSchema, await readSchema(out))).toEqual(fromText);
  });

  it('the DistributionValidator anomalies read the same from text and JSON, and round-trip through every form', async () => {
    const dir = `${TFX}/distribution_validator/executor_test_cases/testAnomaliesGenerated_multiple_features`;
    const fromText = await binary(AnomaliesSchema, join(dir, 'expected_anomalies.pbtxt'));
    expect(await binary(AnomaliesSchema, join(dir, 'expected_anomalies.json'))).toEqual(fromText);
    const anomalies = await readMessageFile(join(dir, 'expected_anomalies.pbtxt'), AnomaliesSchema);
    expect(Object.keys(anomalies.anomalyInfo)).toContain('company');
    for (const format of FORMATS) {
      const path = join(tmp, `anomalies.${format}`);
      await writeMessageFile(path, AnomaliesSchema, anomalies, format);
      expect(existsSync(path)).toBe(true);
      expect(toBinary(AnomaliesSchema, await readMessageFile(path, AnomaliesSchema)), format).toEqual(fromText);
    }
  });
});
