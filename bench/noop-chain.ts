// The 10-task sequential chain of the no-op component that the runner and image benchmarks time (the issue's
// comparison with kfp.local's SubprocessRunner), compiled to IR.
import { fromContract, pipeline } from '@formalize/dsl';
import { noop } from '@formalize/hello';

export const noopOp = fromContract(noop);

export function noopChain(name: string, length = 10) {
  return pipeline({ name }, () => {
    let prev: ReturnType<typeof noopOp> | undefined;
    for (let i = 0; i < length; i++) {
      const t = noopOp({ note: `step-${i}` });
      if (prev) t.after(prev);
      prev = t;
    }
  }).compile();
}
