// Reading the shared, read-only conformance data (../shared/conformance): TFDV unit-test cases with every proto
// in canonical proto3 JSON, and real TFX artifacts. Unknown JSON fields are errors, so a renamed field fails loudly.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DescMessage, fromJson, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';

export const SHARED = resolve(import.meta.dirname, '../../../../../shared/conformance');
export const TFDV_CASES = join(SHARED, 'tfdv/cases');
export const TAXI = join(SHARED, 'tfx-taxi/components');

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function protoFromJson<D extends DescMessage>(schema: D, json: unknown): MessageShape<D> {
  return fromJson(schema, json as JsonValue, { ignoreUnknownFields: false });
}

export function protoFromJsonFile<D extends DescMessage>(schema: D, path: string): MessageShape<D> {
  return protoFromJson(schema, readJson(path));
}

export function protoFromTextFile<D extends DescMessage>(schema: D, path: string): MessageShape<D> {
  return fromText(schema, readFileSync(path, 'utf8'));
}

/** A proto as a case file gives it: { type: "<full message name>", textproto, json }. */
export interface CaseProto {
  type: string;
  json: JsonValue;
  textproto: string;
}

export function caseProto<D extends DescMessage>(schema: D, p: CaseProto): MessageShape<D> {
  if (p.type !== schema.typeName) throw new Error(`case proto is a ${p.type}, not a ${schema.typeName}`);
  return protoFromJson(schema, p.json);
}

export interface ConformanceCase {
  id: string;
  kind: string;
  description: string;
  call: string;
  params?: Record<string, unknown> | null;
  inputs: Record<string, CaseProto>;
  expected: Record<string, unknown>;
  comparison: string;
}

export function casesOfKind(prefix: string): ConformanceCase[] {
  return readdirSync(TFDV_CASES)
    .filter((f) => f.startsWith(`${prefix}.`) && f.endsWith('.json'))
    .sort()
    .map((f) => readJson(join(TFDV_CASES, f)) as ConformanceCase);
}
