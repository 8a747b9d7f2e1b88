export { loadComponentFromText } from './text.ts';
export { loadComponentFromFile } from './file.ts';
export { loadComponentFromUrl } from './url.ts';
export type { LoadUrlOptions } from './url.ts';
export { ComponentLoadError } from './errors.ts';
export { componentFromPipelineSpec } from './ir-component.ts';
export { componentFromV1, sanitizeInputName, V1ComponentError } from './v1.ts';
export { unpinnedReason } from './pin.ts';
