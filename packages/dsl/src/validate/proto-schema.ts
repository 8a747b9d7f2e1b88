// The IR schema: pipeline_spec.proto (shipped in packages/dsl/proto) loaded with protobufjs on first use.
// keepCase keeps the proto field names (snake_case) so the checker can accept both them and their JSON names.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILE = fileURLToPath(new URL('../../proto/pipeline_spec.proto', import.meta.url));

let root: protobuf.Root | undefined;

/** The protobufjs root holding `ml_pipelines.*`, `google.rpc.Status` and the bundled google.protobuf types. */
export function irProtoRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.loadSync(PROTO_FILE, { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** A message type of the IR schema by full name, e.g. `ml_pipelines.PipelineSpec`. */
export function irMessageType(fullName: string): protobuf.Type {
  return irProtoRoot().lookupType(fullName);
}
