import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { Collected, ExitHandler, If, OneOf, ParallelFor, containerComponent, eq, pipeline, validateIr } from '../src/index.ts';

const produce = containerComponent({ name: 'produce', image: 'busybox', inputs: { n: z.int().default(1) }, outputs: { value: z.int(), data: artifact('system.Dataset') } });
const consume = containerComponent({ name: 'consume', image: 'busybox', inputs: { value: z.int().optional(), data: artifact('system.Dataset', { optional: true }) } });

describe('DSL task settings', () => {
  it('after() across groups lifts the dependency to the enclosing group task', () => {
    const spec = pipeline({ name: 'after', inputs: { flag: z.string() } }, ({ flag }) => {
      const first = produce({});
      If(flag.eq('go'), () => { consume({}).after(first); }, { name: 'when-go' });
    }).compile();
    const cond = spec.root.dag!.tasks['condition-1']!;
    expect(cond.dependentTasks).toEqual(['produce']);
    expect(cond.taskInfo.name).toBe('when-go');
    expect(spec.components!['comp-condition-1']!.dag!.tasks['consume']!.dependentTasks).toBeUndefined();
    expect(validateIr(JSON.parse(JSON.stringify(spec)))).toBeTruthy();
  });

  it('writes caching, cache key, env and resources per task', () => {
    const spec = pipeline({ name: 'settings' }, () => {
      produce({ n: 2 }).setCaching(true, 'v1').setEnvVariable('MODE', 'fast').setCpuLimit('500m').setMemoryRequest('512Mi');
    }).compile();
    const task = spec.root.dag!.tasks['produce']!;
    expect(task.cachingOptions).toEqual({ enableCache: true, cacheKey: 'v1' });
    expect(task.inputs!.parameters!['n']).toEqual({ runtimeValue: { constant: 2 } });
    const container = spec.deploymentSpec!.executors!['exec-produce']!.container!;
    expect(container.env).toEqual([{ name: 'MODE', value: 'fast' }]);
    expect(container.resources).toEqual({ cpuLimit: 0.5, resourceCpuLimit: '500m', memoryRequest: 0.536870912, resourceMemoryRequest: '512Mi' });
  });

  it('names ParallelFor groups and sets parallelismLimit', () => {
    const spec = pipeline({ name: 'loop' }, () => {
      ParallelFor([1, 2, 3], (n) => { produce({ n }); }, { parallelism: 2, name: 'each-n' });
    }).compile();
    expect(spec.root.dag!.tasks['for-loop-2']).toMatchObject({ taskInfo: { name: 'each-n' }, iteratorPolicy: { parallelismLimit: 2 }, parameterIterator: { items: { raw: '[1, 2, 3]' } } });
  });
});

describe('DSL errors name what is wrong', () => {
  it.each([
    ['a bad pipeline name', () => pipeline({ name: 'Bad_Name' }, () => {}), /pipeline name 'Bad_Name' must match/],
    ['a negative parallelism', () => pipeline({ name: 'p' }, () => { ParallelFor([1], () => {}, { parallelism: -1 }); }), /parallelism must be an integer >= 0, got -1/],
    ['an empty literal loop', () => pipeline({ name: 'p' }, () => { ParallelFor([], () => {}); }), /needs a non-empty list/],
    ['Collected outside a loop', () => pipeline({ name: 'p' }, () => { Collected(produce({}).outputs.value); }), /must be an output of a task inside a ParallelFor/],
    ['OneOf from one branch', () => pipeline({ name: 'p', inputs: { s: z.string() } }, ({ s }) => {
      let a!: ReturnType<typeof produce>, b!: ReturnType<typeof produce>;
      If(s.eq('x'), () => { a = produce({}); b = produce({}); }).Else(() => {});
      OneOf(a.outputs.value, b.outputs.value);
    }), /each channel must come from a different branch/],
    ['an exit task that depends on another task', () => pipeline({ name: 'p' }, () => {
      const exit = consume({ value: produce({}).outputs.value });
      ExitHandler(exit, () => {});
    }), /cannot depend on other tasks/],
    ['a component used outside a pipeline', () => produce({}), /can only be used inside a pipeline function/],
    ['comparing two constants', () => pipeline({ name: 'p' }, () => { If(eq('a', 'b'), () => { produce({}); }); }).compile(), /compares two constants/],
    ['comparing a LIST parameter', () => pipeline({ name: 'p', inputs: { xs: z.array(z.int()) } }, ({ xs }) => { If(xs.eq(1), () => { produce({}); }); }).compile(), /cannot compare LIST channel 'xs'/],
  ])('rejects %s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
