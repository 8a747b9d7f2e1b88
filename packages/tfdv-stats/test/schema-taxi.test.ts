// TFX SchemaGen and ExampleValidator on the Chicago taxi artifacts: infer_schema on the train split then
// update_schema with eval reproduces schema_gen/schema.pbtxt, and both HEAD splits validate clean against it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFeatureStatisticsListSchema, SchemaSchema } from '../src/protos.ts';
import { inferSchema, updateSchema } from '../src/schema/infer-schema.ts';
import { validateStatistics } from '../src/validate/validate-statistics.ts';
import { TAXI, protoFromJsonFile, protoFromTextFile } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

const stats = (dir: string, split: string) => protoFromJsonFile(DatasetFeatureStatisticsListSchema, join(TAXI, 'testdata', dir, `Split-${split}`, 'FeatureStats.json'));
const schemaGen = () => protoFromTextFile(SchemaSchema, join(TAXI, 'testdata/schema_gen/schema.pbtxt'));
// SchemaGen of that TFX (0.23) defaulted to infer_feature_shape=False (tfx/components/schema_gen/component.py),
// hence value_count rather than shape in schema.pbtxt.
const schemaGenInference = { inferFeatureShape: false };

describe('TFX SchemaGen on the taxi statistics (TFDV 0.22 era, statistics_gen_97966ee)', () => {
  it('infer_schema(train) then update_schema(eval) gives schema_gen/schema.pbtxt exactly', () => {
    const fromTrain = inferSchema(stats('statistics_gen_97966ee', 'train'), schemaGenInference);
    const schema = updateSchema(fromTrain, stats('statistics_gen_97966ee', 'eval'));
    expectProtoEqual(SchemaSchema, schema, schemaGen(), 'SchemaGen schema');
  });

  it('the train split alone gives the 45 company values; eval appends its 16 own values, sorted among themselves', () => {
    const fromTrain = inferSchema(stats('statistics_gen_97966ee', 'train'), schemaGenInference);
    const trainCompanies = fromTrain.stringDomain.find((d) => d.name === 'company')!.value;
    expect(trainCompanies).toHaveLength(45);
    expect([...trainCompanies].sort()).toEqual(trainCompanies);
    const all = updateSchema(fromTrain, stats('statistics_gen_97966ee', 'eval')).stringDomain.find((d) => d.name === 'company')!.value;
    expect(all).toHaveLength(61);
    expect(all.slice(0, 45)).toEqual(trainCompanies);
    expect(all.slice(45).sort()).toEqual(all.slice(45));
    // The input schema is not modified.
    expect(fromTrain.stringDomain.find((d) => d.name === 'company')!.value).toHaveLength(45);
  });
});

describe('TFX ExampleValidator expectation', () => {
  for (const split of ['train', 'eval']) {
    it(`statistics_gen/Split-${split} against schema_gen/schema.pbtxt has no anomalies`, () => {
      const anomalies = validateStatistics(stats('statistics_gen', split), schemaGen());
      expect(anomalies.anomalyInfo).toEqual({});
      expect(anomalies.datasetAnomalyInfo).toBeUndefined();
      expect(anomalies.driftSkewInfo).toEqual([]);
      expect(anomalies.dataMissing).toBe(false);
    });
  }
});

describe('inferSchema with its default infer_feature_shape=True on the same statistics', () => {
  it('gives shape [1] instead of value_count {1, 1} for the always-present single-valued features', () => {
    const schema = inferSchema(stats('statistics_gen_97966ee', 'train'));
    const fare = schema.feature.find((f) => f.name === 'fare')!;
    expect(fare.shapeType.case).toBe('shape');
    expect(fare.shapeType.case === 'shape' && fare.shapeType.value.dim.map((d) => d.size)).toEqual([1n]);
    // company has empty lists in some examples (min_num_values 0): neither shape nor value_count.
    expect(schema.feature.find((f) => f.name === 'company')!.shapeType.case).toBeUndefined();
  });
});
