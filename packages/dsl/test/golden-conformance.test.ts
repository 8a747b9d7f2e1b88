import { describe, expect, it } from 'vitest';
import { irToYaml, parseIrYaml } from '@formalize/common';
import { GOLDENS } from './goldens/pipelines.ts';
import { normalisedPair } from './goldens/harness.ts';

describe('TypeScript re-expressions of KFP SDK goldens', () => {
  it('covers at least 12 goldens', () => {
    expect(Object.keys(GOLDENS).length).toBeGreaterThanOrEqual(12);
  });
  it.each(Object.entries(GOLDENS))('%s compiles to IR structurally equal to the golden', (file, build) => {
    const [ours, golden] = normalisedPair(build(), file);
    expect(ours).toEqual(golden);
  });
  it.each(Object.entries(GOLDENS))('%s round-trips: compile -> load -> write gives the same bytes', (_file, build) => {
    const text = irToYaml(build());
    const again = irToYaml(parseIrYaml(text).documents[0] as never);
    expect(again).toBe(text);
  });
});
