// Read-only views over one DatasetFeatureStatistics, ported from TFDV's DatasetStatsView / FeatureStatsView
// (anomalies/statistics_view.cc): feature lookup by path, the STRUCT parent/child tree, and the accessors the
// validation rules read (presence, valency, rank-histogram counts, histograms), weighted or not.
import { create } from '@bufbuild/protobuf';
import { fieldError } from '@formalize/common';
import {
  type BytesStatistics,
  BytesStatisticsSchema,
  type CommonStatistics,
  CommonStatisticsSchema,
  type CustomStatistic,
  type DatasetFeatureStatistics,
  type FeatureNameStatistics,
  FeatureNameStatistics_Type,
  FeatureType,
  type Histogram,
  Histogram_HistogramType,
  HistogramSelection_Type,
  type NumericStatistics,
  NumericStatisticsSchema,
} from '../protos.ts';
import { sortedUniqueEntries } from './byte-order.ts';
import { FeaturePath } from './path.ts';

const EMPTY_COMMON_STATS: CommonStatistics = create(CommonStatisticsSchema);
const EMPTY_NUM_STATS: NumericStatistics = create(NumericStatisticsSchema);
const EMPTY_BYTES_STATS: BytesStatistics = create(BytesStatisticsSchema);

/** A feature without any stats oneof and without custom_stats is invisible to validation (HasEmptyStats). */
export function hasEmptyStats(f: FeatureNameStatistics): boolean {
  return f.stats.case === undefined && f.customStats.length === 0;
}

/** The common_stats of whichever stats oneof is set (an empty message when none is). */
export function commonStatistics(f: FeatureNameStatistics): CommonStatistics {
  return f.stats.value?.commonStats ?? EMPTY_COMMON_STATS;
}

/** Rank-histogram label → sample_count in byte order, as GetStringValuesWithCounts reads it (first label wins). */
export function stringValuesWithCounts(f: FeatureNameStatistics, byWeight: boolean): [string, number][] {
  if (f.stats.case !== 'stringStats') return [];
  const s = f.stats.value;
  const histogram = byWeight ? s.weightedStringStats?.rankHistogram : s.rankHistogram;
  return sortedUniqueEntries((histogram?.buckets ?? []).map((b) => [b.label, b.sampleCount] as const));
}

/** The first numeric histogram of the type a HistogramSelection asks for (DEFAULT means STANDARD). */
export function selectedHistogram(f: FeatureNameStatistics, source: HistogramSelection_Type, byWeight: boolean): Histogram | undefined {
  if (f.stats.case !== 'numStats') return undefined;
  const wanted = source === HistogramSelection_Type.QUANTILES ? Histogram_HistogramType.QUANTILES : Histogram_HistogramType.STANDARD;
  const histograms = byWeight ? (f.stats.value.weightedNumericStats?.histograms ?? []) : f.stats.value.histograms;
  return histograms.find((h) => h.type === wanted);
}

export interface DatasetContext {
  byWeight: boolean;
  environment: string | undefined;
  previousSpan?: DatasetStatsView | undefined;
  serving?: DatasetStatsView | undefined;
  previousVersion?: DatasetStatsView | undefined;
}

export class DatasetStatsView {
  readonly data: DatasetFeatureStatistics;
  readonly byWeight: boolean;
  readonly environment: string | undefined;
  readonly previousSpan: DatasetStatsView | undefined;
  readonly serving: DatasetStatsView | undefined;
  readonly previousVersion: DatasetStatsView | undefined;
  private readonly paths = new Map<number, FeaturePath>();
  private readonly parents = new Map<number, number>();
  private readonly childLists = new Map<number, number[]>();
  private readonly location = new Map<string, number>();

  /** `label` names the input in error messages, e.g. `previousStatistics.datasets[0]`. */
  constructor(data: DatasetFeatureStatistics, context: DatasetContext, label: string) {
    this.data = data;
    this.byWeight = context.byWeight;
    this.environment = context.environment;
    this.previousSpan = context.previousSpan;
    this.serving = context.serving;
    this.previousVersion = context.previousVersion;
    const features = data.features;
    if (features.every((f) => f.fieldId.case !== 'path')) this.indexByName(label);
    else if (features.every((f) => f.fieldId.case === 'path')) this.indexByPath(label);
    else {
      const byName: string[] = [];
      const byPath: string[][] = [];
      for (const { fieldId } of features) {
        if (fieldId.case === 'path') byPath.push(fieldId.value.step);
        else byName.push(fieldId.value ?? '');
      }
      throw fieldError(`${label}.features`, 'every feature identified by `name` or every feature by `path` (TFDV rejects a mix)', { name: byName, path: byPath });
    }
  }

  private indexByPath(label: string): void {
    this.data.features.forEach(({ fieldId }, i) => {
      if (fieldId.case !== 'path') return;
      const path = FeaturePath.fromProto(fieldId.value);
      if (this.location.has(path.key)) throw fieldError(`${label}.features[${i}].path`, 'a path no other feature of the dataset has', path.steps);
      this.location.set(path.key, i);
      this.paths.set(i, path);
    });
    const ordered = [...this.paths.entries()].sort((a, b) => a[1].compare(b[1]));
    for (const [index, path] of ordered) {
      if (path.size === 0) continue;
      const parent = this.location.get(path.parent().key);
      if (parent !== undefined) this.adopt(parent, index);
    }
  }

  private indexByName(label: string): void {
    const byName: [string, number][] = [];
    const seen = new Set<string>();
    this.data.features.forEach((f, i) => {
      if (hasEmptyStats(f)) return;
      const name = f.fieldId.case === 'name' ? f.fieldId.value : '';
      if (seen.has(name)) throw fieldError(`${label}.features[${i}].name`, 'a name no other feature of the dataset has', name);
      seen.add(name);
      byName.push([name, i]);
    });
    // Walking names in byte order, a STRUCT's descendants follow it directly, so the innermost open STRUCT whose
    // name is a strict prefix is the parent (TFDV tests the string prefix only, not "<parent>.").
    const nameOf = (i: number) => {
      const { fieldId } = this.data.features[i]!;
      return fieldId.case === 'name' ? fieldId.value : '';
    };
    const ancestors: number[] = [];
    for (const [name, index] of sortedUniqueEntries(byName)) {
      while (ancestors.length > 0) {
        const a = nameOf(ancestors[ancestors.length - 1]!);
        if (a.length < name.length && name.startsWith(a)) break;
        ancestors.pop();
      }
      const parent = ancestors[ancestors.length - 1];
      const path = parent === undefined ? new FeaturePath([name]) : this.paths.get(parent)!.child(name.slice(nameOf(parent).length + 1));
      if (parent !== undefined) this.adopt(parent, index);
      this.paths.set(index, path);
      this.location.set(path.key, index);
      if (this.data.features[index]!.type === FeatureNameStatistics_Type.STRUCT) ancestors.push(index);
    }
  }

  private adopt(parent: number, child: number): void {
    this.parents.set(child, parent);
    const list = this.childLists.get(parent);
    if (list) list.push(child);
    else this.childLists.set(parent, [child]);
  }

  /** Features with some statistics, in statistics order. */
  features(): FeatureStatsView[] {
    const out: FeatureStatsView[] = [];
    this.data.features.forEach((f, i) => {
      if (!hasEmptyStats(f)) out.push(new FeatureStatsView(this, i));
    });
    return out;
  }

  rootFeatures(): FeatureStatsView[] {
    return this.features().filter((f) => this.parents.get(f.index) === undefined);
  }

  byPath(path: FeaturePath): FeatureStatsView | undefined {
    const i = this.location.get(path.key);
    return i === undefined ? undefined : new FeatureStatsView(this, i);
  }

  numExamples(): number {
    return this.byWeight ? this.data.weightedNumExamples : Number(this.data.numExamples);
  }

  /** Weighted statistics are used only if the dataset and every feature carry them. */
  weightedStatisticsExist(): boolean {
    if (this.data.weightedNumExamples === 0) return false;
    return this.features().every((f) => f.weightedStatisticsExist());
  }

  pathOf(index: number): FeaturePath {
    return this.paths.get(index) ?? new FeaturePath([]);
  }

  parentOf(index: number): number | undefined {
    return this.parents.get(index);
  }

  childrenOf(index: number): number[] {
    return this.childLists.get(index) ?? [];
  }
}

export class FeatureStatsView {
  readonly dataset: DatasetStatsView;
  readonly index: number;

  constructor(dataset: DatasetStatsView, index: number) {
    this.dataset = dataset;
    this.index = index;
  }

  get data(): FeatureNameStatistics {
    return this.dataset.data.features[this.index]!;
  }

  get type(): FeatureNameStatistics_Type {
    return this.data.type;
  }

  get path(): FeaturePath {
    return this.dataset.pathOf(this.index);
  }

  get environment(): string | undefined {
    return this.dataset.environment;
  }

  private get byWeight(): boolean {
    return this.dataset.byWeight;
  }

  private get common(): CommonStatistics {
    return commonStatistics(this.data);
  }

  /** The schema type of the physical values: STRING and BYTES are both BYTES. */
  featureType(): FeatureType {
    switch (this.type) {
      case FeatureNameStatistics_Type.STRING:
      case FeatureNameStatistics_Type.BYTES:
        return FeatureType.BYTES;
      case FeatureNameStatistics_Type.INT:
        return FeatureType.INT;
      case FeatureNameStatistics_Type.FLOAT:
        return FeatureType.FLOAT;
      case FeatureNameStatistics_Type.STRUCT:
        return FeatureType.STRUCT;
      default:
        return FeatureType.TYPE_UNKNOWN;
    }
  }

  numExamples(): number {
    return this.dataset.numExamples();
  }

  numMissing(): number {
    return this.byWeight ? (this.common.weightedCommonStats?.numMissing ?? 0) : Number(this.common.numMissing);
  }

  numPresent(): number {
    return this.byWeight ? (this.common.weightedCommonStats?.numNonMissing ?? 0) : Number(this.common.numNonMissing);
  }

  /** num_missing at each nest level (the top level alone when there is no per-level entry). */
  numMissingNested(): number[] {
    const levels = this.byWeight
      ? this.common.weightedPresenceAndValencyStats.map((p) => p.numMissing)
      : this.common.presenceAndValencyStats.map((p) => Number(p.numMissing));
    return levels.length > 0 ? levels : [this.numMissing()];
  }

  fractionPresent(): number | undefined {
    const numExamples = this.numExamples();
    if (numExamples <= 0) return undefined;
    if (this.numMissing() === 0) return 1.0;
    return this.numPresent() / numExamples;
  }

  /** [min_num_values, max_num_values] at each nest level (negative minimums read as 0). */
  minMaxNumValues(): [number, number][] {
    const levels = this.common.presenceAndValencyStats.map((p) => [Math.max(Number(p.minNumValues), 0), Number(p.maxNumValues)] as [number, number]);
    return levels.length > 0 ? levels : [[Math.max(Number(this.common.minNumValues), 0), Number(this.common.maxNumValues)]];
  }

  hasNestedValues(): boolean {
    return this.common.presenceAndValencyStats.length > 1;
  }

  stringValuesWithCounts(): [string, number][] {
    return stringValuesWithCounts(this.data, this.byWeight);
  }

  stringValues(): string[] {
    return this.stringValuesWithCounts().map(([k]) => k);
  }

  histogram(source: HistogramSelection_Type): Histogram | undefined {
    return selectedHistogram(this.data, source, this.byWeight);
  }

  hasInvalidUtf8Strings(): boolean {
    return this.data.stats.case === 'stringStats' && this.data.stats.value.invalidUtf8Count > 0n;
  }

  numStats(): NumericStatistics {
    return this.data.stats.case === 'numStats' ? this.data.stats.value : EMPTY_NUM_STATS;
  }

  bytesStats(): BytesStatistics {
    return this.data.stats.case === 'bytesStats' ? this.data.stats.value : EMPTY_BYTES_STATS;
  }

  /** Values across all examples; older statistics lack tot_num_values, so it falls back to present × average. */
  totalValueCountInExamples(): number {
    const c = this.common;
    if (this.byWeight) return c.weightedCommonStats?.totNumValues ?? 0;
    if (c.totNumValues === 0n) return Number(c.numNonMissing) * c.avgNumValues;
    return Number(c.totNumValues);
  }

  weightedStatisticsExist(): boolean {
    const c = this.common;
    return c.weightedCommonStats !== undefined && c.presenceAndValencyStats.length === c.weightedPresenceAndValencyStats.length;
  }

  /** The same path in the serving statistics, if those were given and have it. */
  serving(): FeatureStatsView | undefined {
    return this.dataset.serving?.byPath(this.path);
  }

  /** The same path in the previous-span statistics, if those were given and have it. */
  previousSpan(): FeatureStatsView | undefined {
    return this.dataset.previousSpan?.byPath(this.path);
  }

  parent(): FeatureStatsView | undefined {
    const p = this.dataset.parentOf(this.index);
    return p === undefined ? undefined : new FeatureStatsView(this.dataset, p);
  }

  children(): FeatureStatsView[] {
    return this.dataset.childrenOf(this.index).map((i) => new FeatureStatsView(this.dataset, i));
  }

  /** string_stats.unique, only for string (and categorical) features. */
  numUnique(): bigint | undefined {
    return this.data.stats.case === 'stringStats' ? this.data.stats.value.unique : undefined;
  }

  customStats(): CustomStatistic[] {
    return this.data.customStats;
  }

  customStatByName(name: string): CustomStatistic | undefined {
    return this.data.customStats.find((s) => s.name === name);
  }
}
