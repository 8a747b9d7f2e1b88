// Cycle finding for task dependencies inside a DAG and for component references across the spec.

/**
 * Every distinct cycle reachable in the directed graph `edges` (node -> successors), each as the node path
 * with the first node repeated at the end, e.g. ['a', 'b', 'a']. Successors missing from `edges` are ignored.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();

  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      const s = state.get(next);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...new Set(cycle)].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };

  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
