// `@formalize/common/tfrecord`: TFRecord framing with masked CRC-32C, as TensorFlow's record_writer.cc writes it
// (TFDV statistics files, TensorBoard event files). Node builtins only.
export * from './crc32c.ts';
export * from './tfrecord.ts';
