// Deterministic layered layout of a run's task tree for report.html. Each DAG task is a box around its
// children; inside a box, children are placed left to right in columns by longest-path layering over
// their same-parent `dependsOn`, ordered within a column by the mean height of their predecessors.
// Columns are left-aligned so every edge ends on its column's left side, crossing no other box.
// Children without any edge between them (ParallelFor iterations, fan-out) wrap into a grid instead of
// one very tall column.
import type { TaskRecord } from '../types.ts';

const NODE_W = 220;
const NODE_H = 56;
export const HEADER_H = 32;
const PAD = 14;
const COL_GAP = 40;
const ROW_GAP = 14;
/** Children of a box with no edges between them are laid out as a grid once there are more than this. */
const GRID_MIN = 6;
/** Widest a grid row may grow before wrapping. */
const GRID_MAX_W = 1200;
/**
 * Columns shorter than their box are centred, but sit at most this far down, so next to a very tall
 * column (a big loop) they stay in view; edges meet a box at most this far below its top, plus half a node.
 */
const CENTRE_MAX = 200;
/** Height of the body of a DAG task that ran no children (condition false, empty loop). */
const EMPTY_BODY_H = 26;

export interface PlacedTask {
  task: TaskRecord;
  /** Absolute position in the drawing. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Drawn as a box around children (a DAG task), or as a plain node. */
  group: boolean;
  depth: number;
}

export interface Edge {
  from: PlacedTask;
  to: PlacedTask;
}

export interface Layout {
  /** Every task exactly once, parents before their children. */
  nodes: PlacedTask[];
  edges: Edge[];
  width: number;
  height: number;
}

interface Sized {
  task: TaskRecord;
  w: number;
  h: number;
  group: boolean;
  /** Children and their offsets relative to this box's top-left corner. */
  children: { node: Sized; dx: number; dy: number }[];
  edges: [TaskRecord, TaskRecord][];
}

export interface LayoutOptions {
  /** Width a DAG task's box needs for its header (the box is at least this wide). */
  headerWidth?: (task: TaskRecord) => number;
  margin?: number;
}

/** Lays out all tasks of a run; tasks whose parent is not in the run are placed at the root. */
export function layoutTasks(tasks: readonly TaskRecord[], { headerWidth = () => 0, margin = 16 }: LayoutOptions = {}): Layout {
  const ids = new Set(tasks.map((t) => t.id));
  const childrenOf = new Map<string, TaskRecord[]>();
  for (const t of tasks) {
    const parent = t.parent !== t.id && ids.has(t.parent) ? t.parent : '';
    let list = childrenOf.get(parent);
    if (!list) childrenOf.set(parent, (list = []));
    list.push(t);
  }
  // A parent cycle (corrupt record) would never be reached from the root: place those tasks there too.
  const reached = new Set<string>();
  const walk = (parent: string) => {
    for (const c of childrenOf.get(parent) ?? []) if (!reached.has(c.id)) { reached.add(c.id); walk(c.id); }
  };
  walk('');
  const unreached = tasks.filter((t) => !reached.has(t.id));
  if (unreached.length) {
    for (const list of childrenOf.values()) for (let i = list.length - 1; i >= 0; i--) if (!reached.has(list[i]!.id)) list.splice(i, 1);
    childrenOf.set('', [...(childrenOf.get('') ?? []), ...unreached]);
    for (const t of unreached) childrenOf.delete(t.id);
  }

  const size = (task: TaskRecord): Sized => {
    const kids = childrenOf.get(task.id);
    const group = task.kind === 'dag' || !!kids?.length;
    if (!group) return { task, w: NODE_W, h: NODE_H, group, children: [], edges: [] };
    const inner = arrange((kids ?? []).map(size));
    return {
      task, group, children: inner.children, edges: inner.edges,
      w: Math.max(NODE_W, inner.w + 2 * PAD, Math.ceil(headerWidth(task))),
      h: HEADER_H + (inner.children.length ? inner.h + PAD : EMPTY_BODY_H),
    };
  };
  const root = arrange((childrenOf.get('') ?? []).map(size));

  const nodes: PlacedTask[] = [];
  const byId = new Map<string, PlacedTask>();
  const edges: Edge[] = [];
  const place = (items: Sized['children'], edgeList: Sized['edges'], ox: number, oy: number, depth: number) => {
    for (const { node, dx, dy } of items) {
      const p: PlacedTask = { task: node.task, x: ox + dx, y: oy + dy, w: node.w, h: node.h, group: node.group, depth };
      nodes.push(p);
      byId.set(node.task.id, p);
      place(node.children, node.edges, p.x + PAD, p.y + HEADER_H, depth + 1);
    }
    for (const [from, to] of edgeList) edges.push({ from: byId.get(from.id)!, to: byId.get(to.id)! });
  };
  place(root.children, root.edges, margin, margin, 0);
  return { nodes, edges, width: root.w + 2 * margin, height: root.h + 2 * margin };
}

/** Places sibling boxes: layered columns when they have edges, a grid or one column otherwise. */
function arrange(items: Sized[]): { w: number; h: number; children: Sized['children']; edges: Sized['edges'] } {
  const byId = new Map(items.map((s) => [s.task.id, s]));
  const edges: Sized['edges'] = [];
  const preds = new Map<string, Sized[]>();
  for (const s of items) {
    const ps = [...new Set(s.task.dependsOn)].filter((d) => d !== s.task.id && byId.has(d)).map((d) => byId.get(d)!);
    preds.set(s.task.id, ps);
    for (const p of ps) edges.push([p.task, s.task]);
  }
  if (!edges.length && items.length > GRID_MIN) return { ...grid(items), edges };

  // Longest-path layering; a dependency cycle (corrupt record) is cut where it closes.
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (s: Sized): number => {
    const known = layer.get(s.task.id);
    if (known !== undefined) return known;
    if (visiting.has(s.task.id)) return -1;
    visiting.add(s.task.id);
    const l = Math.max(-1, ...preds.get(s.task.id)!.map(layerOf)) + 1;
    visiting.delete(s.task.id);
    layer.set(s.task.id, l);
    return l;
  };
  const columns: Sized[][] = [];
  for (const s of items) (columns[layerOf(s)] ??= []).push(s);
  const cols = columns.filter((c) => c.length);

  const colH = cols.map((c) => c.reduce((h, s) => h + s.h, 0) + ROW_GAP * (c.length - 1));
  const h = Math.max(0, ...colH);
  const children: Sized['children'] = [];
  const centreY = new Map<string, number>();
  let x = 0;
  cols.forEach((col, i) => {
    // Barycentre ordering: a node sits near the mean height of its predecessors; ties keep record order.
    const order = col.map((s, k) => {
      const ys = preds.get(s.task.id)!.map((p) => centreY.get(p.task.id)).filter((y): y is number => y !== undefined);
      return { s, k, key: ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.POSITIVE_INFINITY };
    }).sort((a, b) => a.key - b.key || a.k - b.k);
    let y = Math.min((h - colH[i]!) / 2, CENTRE_MAX);
    for (const { s } of order) {
      children.push({ node: s, dx: x, dy: y });
      centreY.set(s.task.id, y + anchorY(s.h));
      y += s.h + ROW_GAP;
    }
    x += Math.max(...col.map((c) => c.w)) + COL_GAP;
  });
  return { w: Math.max(0, x - COL_GAP), h, children, edges };
}

/** Where edges meet a box of height `h`, from its top: the middle, or level with a top-held column. */
export function anchorY(h: number): number {
  return Math.min(h / 2, CENTRE_MAX + NODE_H / 2);
}

function grid(items: Sized[]): { w: number; h: number; children: Sized['children'] } {
  const cellW = Math.max(...items.map((s) => s.w));
  const cellH = Math.max(...items.map((s) => s.h));
  const cols = Math.max(1, Math.min(items.length, Math.floor((GRID_MAX_W + ROW_GAP) / (cellW + ROW_GAP)), Math.ceil(Math.sqrt(items.length * 2))));
  const rows = Math.ceil(items.length / cols);
  const children = items.map((node, i) => ({ node, dx: (i % cols) * (cellW + ROW_GAP), dy: Math.floor(i / cols) * (cellH + ROW_GAP) }));
  return { w: cols * cellW + (cols - 1) * ROW_GAP, h: rows * cellH + (rows - 1) * ROW_GAP, children };
}
