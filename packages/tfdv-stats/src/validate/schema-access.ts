// proto2 accessors for the Feature oneofs, mirroring C++'s has_x / mutable_x / clear_x: protobuf-es models a oneof
// as { case, value }, and a proto2 scalar's presence with isFieldSet.
import { create } from '@bufbuild/protobuf';
import {
  type DerivedFeatureSource,
  type Feature,
  type FeaturePresence,
  FeaturePresenceSchema,
  type FixedShape,
  LifecycleStage,
  type SparseFeature,
  type ValueCount,
  type ValueCountList,
  ValueCountListSchema,
  ValueCountSchema,
  type WeightedFeature,
} from '../protos.ts';

export function presenceOf(f: Feature): FeaturePresence | undefined {
  return f.presenceConstraints.case === 'presence' ? f.presenceConstraints.value : undefined;
}

export function mutablePresence(f: Feature): FeaturePresence {
  if (f.presenceConstraints.case !== 'presence') f.presenceConstraints = { case: 'presence', value: create(FeaturePresenceSchema) };
  return f.presenceConstraints.value;
}

export function valueCountOf(f: Feature): ValueCount | undefined {
  return f.shapeType.case === 'valueCount' ? f.shapeType.value : undefined;
}

export function mutableValueCount(f: Feature): ValueCount {
  if (f.shapeType.case !== 'valueCount') f.shapeType = { case: 'valueCount', value: create(ValueCountSchema) };
  return f.shapeType.value;
}

export function valueCountsOf(f: Feature): ValueCountList | undefined {
  return f.shapeType.case === 'valueCounts' ? f.shapeType.value : undefined;
}

export function mutableValueCounts(f: Feature): ValueCountList {
  if (f.shapeType.case !== 'valueCounts') f.shapeType = { case: 'valueCounts', value: create(ValueCountListSchema) };
  return f.shapeType.value;
}

export function shapeOf(f: Feature): FixedShape | undefined {
  return f.shapeType.case === 'shape' ? f.shapeType.value : undefined;
}

/** clear_<case>() of a oneof member: only clears when that member is the one set. */
export function clearShapeType(f: Feature, which: 'shape' | 'valueCount' | 'valueCounts'): void {
  if (f.shapeType.case === which) f.shapeType = { case: undefined };
}

export function clearDomain(f: Feature): void {
  f.domainInfo = { case: undefined };
}

// PLANNED, ALPHA, DEPRECATED, DEBUG_ONLY and DISABLED features are neither validated nor required.
const DEPRECATED_STAGES = new Set<LifecycleStage>([
  LifecycleStage.PLANNED,
  LifecycleStage.ALPHA,
  LifecycleStage.DEPRECATED,
  LifecycleStage.DEBUG_ONLY,
  LifecycleStage.DISABLED,
]);

export function lifecycleStageIsDeprecated(stage: LifecycleStage): boolean {
  return DEPRECATED_STAGES.has(stage);
}

export function featureIsDeprecated(f: Feature | SparseFeature): boolean {
  return f.deprecated || lifecycleStageIsDeprecated(f.lifecycleStage);
}

export function weightedFeatureIsDeprecated(f: WeightedFeature): boolean {
  return lifecycleStageIsDeprecated(f.lifecycleStage);
}

/** How TFDV "fixes" a feature it cannot repair: it marks it DEPRECATED. */
export function deprecate(f: Feature | SparseFeature | WeightedFeature): void {
  f.lifecycleStage = LifecycleStage.DEPRECATED;
}

export function markFeatureDerived(source: DerivedFeatureSource, f: Feature): void {
  f.lifecycleStage = LifecycleStage.VALIDATION_DERIVED;
  f.validationDerivedSource = source;
}
