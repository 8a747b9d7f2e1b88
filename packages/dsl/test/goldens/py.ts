// Stand-ins for the goldens' lightweight Python components: same interface and image, a plain
// container command (the harness ignores command/args of Python-function executors).
import type { z } from 'zod';
import { containerComponent } from '../../src/index.ts';

export function pyComponent<I extends Record<string, z.ZodType>, O extends Record<string, z.ZodType>>(name: string, inputs: I, outputs: O, image = 'python:3.11') {
  return containerComponent({ name, inputs, outputs, image, command: ['python3', '-c', `print("${name}")`] });
}
