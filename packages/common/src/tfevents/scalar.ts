// Scalars as TensorFlow 2's `tf.summary.scalar` writes them: a Summary.Value whose `tensor` is a rank-0 DT_FLOAT
// tensor, with metadata naming the `scalars` plugin and DATA_CLASS_SCALAR. That is the form TensorBoard works in:
// its `data_compat.migrate_value` rewrites a legacy `simple_value` into exactly this (tensor + scalars-plugin
// metadata) and `dataclass_compat` then adds the data class, so a value already in this form passes both
// unchanged, and the Vertex TensorBoard uploader, which keeps only DATA_CLASS_SCALAR tensors of the `scalars`
// plugin, takes it as is. A Value holds one of simple_value / tensor (a proto oneof), so writing both would
// mean duplicate points; readers that know only `simple_value` are TF1-era tools. The reader here accepts both.
import { create } from '@bufbuild/protobuf';
import type { Event, Summary_Value } from './protos.ts';
import { DataClass, DataType, EventSchema, Summary_ValueSchema, SummaryMetadataSchema, TensorProtoSchema, TensorShapeProtoSchema } from './protos.ts';

export const SCALARS_PLUGIN = 'scalars';

/** The Summary.Value of one scalar point. */
export function scalarValue(tag: string, value: number): Summary_Value {
  return create(Summary_ValueSchema, {
    tag,
    // On every value, as TF2's summary writer does: a reader that starts on any file of the run sees the plugin.
    metadata: create(SummaryMetadataSchema, { pluginData: { pluginName: SCALARS_PLUGIN }, dataClass: DataClass.SCALAR }),
    value: { case: 'tensor', value: create(TensorProtoSchema, { dtype: DataType.DT_FLOAT, tensorShape: create(TensorShapeProtoSchema), floatVal: [value] }) },
  });
}

/** The Event of one scalar point at `step`, `wallTime` seconds since the epoch. */
export function scalarEvent(tag: string, value: number, step: number, wallTime: number): Event {
  return create(EventSchema, { wallTime, step: BigInt(step), what: { case: 'summary', value: { value: [scalarValue(tag, value)] } } });
}

export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

function tensorScalar(v: Summary_Value): number | undefined {
  if (v.value.case !== 'tensor') return undefined;
  const t = v.value.value;
  if ((t.tensorShape?.dim.length ?? 0) !== 0) return undefined;
  if (t.dtype === DataType.DT_FLOAT && t.floatVal.length === 1) return t.floatVal[0];
  if (t.dtype === DataType.DT_DOUBLE && t.doubleVal.length === 1) return t.doubleVal[0];
  // Tensor::AsProtoTensorContent form: the little-endian bytes of the value.
  const bytes = t.tensorContent;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (t.dtype === DataType.DT_FLOAT && bytes.length === 4) return view.getFloat32(0, true);
  if (t.dtype === DataType.DT_DOUBLE && bytes.length === 8) return view.getFloat64(0, true);
  return undefined;
}

/**
 * The scalar points of a run's events: tensor values of the `scalars` plugin (the plugin is remembered per tag from
 * its first value, as TensorBoard does) and legacy `simple_value`s.
 */
export function scalarPoints(events: readonly Event[]): ScalarPoint[] {
  const pluginOf = new Map<string, string>();
  const out: ScalarPoint[] = [];
  for (const e of events) {
    if (e.what.case !== 'summary') continue;
    for (const v of e.what.value.value) {
      if (!pluginOf.has(v.tag)) pluginOf.set(v.tag, v.metadata?.pluginData?.pluginName ?? '');
      const value = v.value.case === 'simpleValue' ? v.value.value : pluginOf.get(v.tag) === SCALARS_PLUGIN ? tensorScalar(v) : undefined;
      if (value !== undefined) out.push({ tag: v.tag, step: Number(e.step), value, wallTime: e.wallTime });
    }
  }
  return out;
}
