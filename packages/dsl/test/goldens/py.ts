// Stand-ins for the goldens' lightweight Python components: same interface and image, a plain
// container command (the harness ignores command/args of Python-function executors).
import { containerComponent } from '../../src/index.ts';

export function pyComponent<I extends Record<string, unknown>, O extends Record<string, unknown>>(name: string, inputs: I, outputs: O, image = 'python:3.11') {
  return containerComponent({ name, inputs, outputs, image, command: ['python3', '-c', `print("${name}")`] });
}
