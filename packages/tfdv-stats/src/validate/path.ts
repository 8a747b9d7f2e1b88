// TFDV's Path (anomalies/path.cc): a feature's steps from the root, ordered step by step in byte order, and
// serialized with '.' separators, quoting any step that is not "standard".
import { create } from '@bufbuild/protobuf';
import { type Path as PathProto, PathSchema } from '../protos.ts';
import { compareUtf8 } from './byte-order.ts';

// A standard step is "(...)" with no parentheses inside, or a non-empty step without '(', ')', '.' or '\''.
const STANDARD_STEP = /^(?:\([^()]*\)|[^().']+)$/s;

function serializeStep(step: string): string {
  return STANDARD_STEP.test(step) ? step : `'${step.replaceAll("'", "''")}'`;
}

export class FeaturePath {
  readonly steps: readonly string[];

  constructor(steps: readonly string[]) {
    this.steps = steps;
  }

  static fromProto(p: PathProto): FeaturePath {
    return new FeaturePath([...p.step]);
  }

  toProto(): PathProto {
    return create(PathSchema, { step: [...this.steps] });
  }

  get size(): number {
    return this.steps.length;
  }

  get lastStep(): string {
    return this.steps[this.steps.length - 1] ?? '';
  }

  parent(): FeaturePath {
    return new FeaturePath(this.steps.slice(0, -1));
  }

  child(step: string): FeaturePath {
    return new FeaturePath([...this.steps, step]);
  }

  /** The anomaly_info key TFDV writes (anomaly_name_format SERIALIZED_PATH). */
  serialize(): string {
    return this.steps.map(serializeStep).join('.');
  }

  /** An unambiguous Map key (serialize() is also unambiguous, but this is cheaper to reason about). */
  get key(): string {
    return JSON.stringify(this.steps);
  }

  /** std::lexicographical_compare over the steps, each compared as std::string. */
  compare(other: FeaturePath): number {
    const n = Math.min(this.steps.length, other.steps.length);
    for (let i = 0; i < n; i++) {
      const c = compareUtf8(this.steps[i]!, other.steps[i]!);
      if (c !== 0) return c;
    }
    return this.steps.length - other.steps.length;
  }
}
