// Every infer_schema case extracted from TFDV's tests (validation_api_test.py, feature_statistics_validator_test.cc):
// exact proto equality, as those tests assert.
import { describe, expect, it } from 'vitest';
import { DatasetFeatureStatisticsListSchema, DatasetFeatureStatisticsSchema, SchemaSchema } from '../src/protos.ts';
import { inferSchema } from '../src/schema/infer-schema.ts';
import { type CaseProto, caseProto, casesOfKind } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

const cases = casesOfKind('infer_schema');

describe('inferSchema on the TFDV infer_schema cases', () => {
  it('finds all 6 cases', () => {
    expect(cases).toHaveLength(6);
  });

  for (const c of cases) {
    it(`${c.id}: ${c.description.slice(0, 90)}`, () => {
      const input = c.inputs['statistics']!;
      const stats =
        input.type === DatasetFeatureStatisticsSchema.typeName ? caseProto(DatasetFeatureStatisticsSchema, input) : caseProto(DatasetFeatureStatisticsListSchema, input);
      const params = c.params as { infer_feature_shape: boolean; max_string_domain_size: number };
      const actual = inferSchema(stats, { inferFeatureShape: params.infer_feature_shape, maxStringDomainSize: params.max_string_domain_size });
      expectProtoEqual(SchemaSchema, actual, caseProto(SchemaSchema, c.expected['schema'] as CaseProto), c.id);
    });
  }
});
