// Every TFX DistributionValidator executor test case (executor_test.py @ 211ef23): current = Split-train,
// baseline = Split-eval; everything but `baseline` must equal the expected Anomalies, and blessed.txt must match.
import { clone } from '@bufbuild/protobuf';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomaliesSchema, DatasetFeatureStatisticsListSchema, DistributionValidatorConfigSchema } from '../src/protos.ts';
import { isDistributionBlessed, validateDistribution } from '../src/validate/distribution-validator.ts';
import { TAXI, protoFromJsonFile } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

const CASES = join(TAXI, 'distribution_validator/executor_test_cases');
const caseNames = readdirSync(CASES).sort();

/** The case's inline statistics, or (for the testAnomaliesGenerated / testUseArtifactDVConfig cases) TFX's testdata statistics_gen. */
function splitStats(dir: string, split: 'train' | 'eval') {
  const inline = join(dir, `stats_${split}.json`);
  const path = existsSync(inline) ? inline : join(TAXI, `testdata/statistics_gen/Split-${split}/FeatureStats.json`);
  return protoFromJsonFile(DatasetFeatureStatisticsListSchema, path);
}

describe('validateDistribution on the TFX DistributionValidator executor cases', () => {
  it('has the 9 cases', () => {
    expect(caseNames).toHaveLength(9);
  });

  for (const name of caseNames) {
    it(name, () => {
      const dir = join(CASES, name);
      const config = protoFromJsonFile(DistributionValidatorConfigSchema, join(dir, 'config.json'));
      const actual = clone(AnomaliesSchema, validateDistribution(config, splitStats(dir, 'train'), splitStats(dir, 'eval')));
      actual.baselineSchema = { case: undefined };
      expectProtoEqual(AnomaliesSchema, actual, protoFromJsonFile(AnomaliesSchema, join(dir, 'expected_anomalies.json')), name);
      const blessed = join(dir, 'blessed.txt');
      if (existsSync(blessed)) expect(isDistributionBlessed(actual)).toBe(readFileSync(blessed, 'utf8').trim() === '1');
    });
  }
});
