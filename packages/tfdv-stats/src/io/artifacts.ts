// Artifact folders as TFX lays them out: statistics as FeatureStats.pb (+ .pbtxt, .json), a schema as schema.pbtxt
// (+ schema.json), anomalies as anomalies.pbtxt (tfdv.write_anomalies_text; + .pb, .json). A folder is written
// under a temp name and renamed when complete, so a reader (or a failed run) never sees part of one.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Anomalies, DatasetFeatureStatisticsList, Schema } from '../protos.ts';
import { AnomaliesSchema, DatasetFeatureStatisticsListSchema, SchemaSchema } from '../protos.ts';
import type { ProtoFormat } from './formats.ts';
import { encodeMessage, ProtoFormatError, readMessageFile } from './formats.ts';

export const STATISTICS_FILES: Readonly<Record<'binary' | 'text' | 'json', string>> = { binary: 'FeatureStats.pb', text: 'FeatureStats.pbtxt', json: 'FeatureStats.json' };
export const SCHEMA_FILES: Readonly<Record<'text' | 'json', string>> = { text: 'schema.pbtxt', json: 'schema.json' };
export const ANOMALIES_FILES: Readonly<Record<'text' | 'binary' | 'json', string>> = { text: 'anomalies.pbtxt', binary: 'anomalies.pb', json: 'anomalies.json' };

/** Writes files into a fresh folder `dir`: all of them or none (an existing empty folder is replaced). */
export async function writeFolderAtomic(dir: string, files: readonly { name: string; content: Uint8Array | string }[]): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const scratch = join(dirname(dir), `.${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(scratch);
  try {
    for (const f of files) await writeFile(join(scratch, f.name), f.content);
    if (existsSync(dir)) await rmdir(dir); // fails, keeping the old folder, unless it is empty
    await rename(scratch, dir);
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

function encoded<D extends DescMessage>(schema: D, msg: MessageShape<D>, names: Partial<Record<ProtoFormat, string>>) {
  return Object.entries(names).map(([format, name]) => ({ name: name!, content: encodeMessage(schema, msg, format as ProtoFormat) }));
}

/** The statistics folder: FeatureStats.pb (what TFX and Facets read), .pbtxt (tfdv.load_stats_text), .json. */
export async function writeStatisticsFolder(dir: string, stats: DatasetFeatureStatisticsList): Promise<void> {
  await writeFolderAtomic(dir, encoded(DatasetFeatureStatisticsListSchema, stats, STATISTICS_FILES));
}

export async function writeSchemaFolder(dir: string, schema: Schema): Promise<void> {
  await writeFolderAtomic(dir, encoded(SchemaSchema, schema, SCHEMA_FILES));
}

export async function writeAnomaliesFolder(dir: string, anomalies: Anomalies): Promise<void> {
  await writeFolderAtomic(dir, encoded(AnomaliesSchema, anomalies, ANOMALIES_FILES));
}

// Statistics file names in reading preference: ours and TFX >= 0.29 (FeatureStats.pb), TFX < 0.29 (stats_tfrecord).
const STATISTICS_NAMES = ['FeatureStats.pb', 'stats_tfrecord', 'FeatureStats.pbtxt', 'FeatureStats.json'];

/** Statistics from a file in any form, or from a folder holding one of TFX's file names. */
export async function readStatistics(path: string): Promise<DatasetFeatureStatisticsList> {
  return readMessageFile(await pick(path, STATISTICS_NAMES), DatasetFeatureStatisticsListSchema);
}

export async function readSchema(path: string): Promise<Schema> {
  return readMessageFile(await pick(path, ['schema.pbtxt', 'schema.json', 'schema.pb']), SchemaSchema);
}

/** Anomalies from a file in any form, or a folder with anomalies.pbtxt/.pb/.json or TFX's SchemaDiff.pb. */
export async function readAnomalies(path: string): Promise<Anomalies> {
  return readMessageFile(await pick(path, ['anomalies.pbtxt', 'anomalies.pb', 'SchemaDiff.pb', 'anomalies.json']), AnomaliesSchema);
}

async function pick(path: string, names: readonly string[]): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return path;
    throw err;
  }
  const name = names.find((n) => entries.includes(n));
  if (!name) throw new ProtoFormatError(`${path}: a folder without ${names.join(', ')} (has: ${entries.join(', ') || 'nothing'})`);
  return join(path, name);
}
