// `@formalize/common/tfevents`: TensorBoard event files (TFRecord framing, TensorFlow's Event / Summary protos)
// with TF2-style scalar summaries, readable by TensorBoard and uploadable to Vertex TensorBoard; and a reader.
export * from './writer.ts';
export * from './reader.ts';
export * from './scalar.ts';
export { DataClass, DataType, EventSchema, SummarySchema, type Event, type Summary, type Summary_Value } from './protos.ts';
