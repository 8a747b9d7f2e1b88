// Smallest pipeline: greet, then greet again with the first greeting's repetition count as input.
import { z } from 'zod';
import { fromContract, pipeline } from '@formalize/dsl';
import { hello } from '@formalize/hello';

const helloOp = fromContract(hello);

export default pipeline({
  name: 'hello-pipeline',
  description: 'Greets someone twice: a smoke test of the component contract and the compiler.',
  inputs: { name: z.string().default('formalize').describe('Who to greet.') },
}, ({ name }) => {
  const first = helloOp({ name, times: 1 }).setDisplayName('greet');
  const second = helloOp({ name: first.outputs.greeting, times: 2 }).setDisplayName('greet-again');
  return { greeting: second.outputs.greeting, report: second.outputs.report };
});
