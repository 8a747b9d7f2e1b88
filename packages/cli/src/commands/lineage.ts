// `formalize lineage <artifact-uri>`: where an artifact came from, from the metadata store of the
// pipeline root, as an indented tree: artifact <- execution (task, state) <- its input artifacts <- ...
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lineageOf, METADATA_FILE_NAME, openSqliteStore, type Artifact, type Lineage, type LineageNode } from '@formalize/common/metadata';
import { EXIT, UsageError } from '../errors.ts';
import { type Colors, colorsFor, formatTimestamp } from '../format.ts';
import { localPipelineRoot } from '../paths.ts';

export interface LineageOptions {
  pipelineRoot?: string;
  json: boolean;
}

export async function lineageCommand(uri: string, o: LineageOptions): Promise<number> {
  const file = join(localPipelineRoot(o.pipelineRoot), METADATA_FILE_NAME);
  if (!existsSync(file)) throw new UsageError(`no metadata store at ${file} (no run has been recorded under this pipeline root)`);
  const store = await openSqliteStore(file);
  let lineage: Lineage | undefined;
  try {
    // Local artifact URIs are absolute paths: a relative path names the same file.
    lineage = await lineageOf(store, uri);
    if (!lineage && !uri.includes('://') && resolve(uri) !== uri) lineage = await lineageOf(store, resolve(uri));
  } finally {
    await store.close();
  }
  if (!lineage) throw new UsageError(`no artifact with URI or id '${uri}' in ${file}`);
  if (o.json) process.stdout.write(`${JSON.stringify(lineage)}\n`);
  else process.stdout.write(`${renderLineage(lineage.root, colorsFor(process.stdout)).join('\n')}\n`);
  return EXIT.ok;
}

/**
 * The lineage tree as lines: each artifact, under it `<-` the execution that produced it, under that
 * the execution's input artifacts (by input name), recursively. An artifact reached twice (a diamond)
 * is expanded once.
 */
export function renderLineage(root: LineageNode, c: Colors): string[] {
  const lines: string[] = [];
  const expanded = new Set<string>();
  const artifactLine = (a: Artifact) => `${c.paint('bold', a.type)} ${a.uri}  ${c.paint('gray', `#${a.id}${a.name ? ` ${a.name}` : ''}, ${formatTimestamp(a.createTime)}`)}`;
  const visit = (node: LineageNode, indent: string, label: string) => {
    lines.push(`${indent}${label}${artifactLine(node.artifact)}`);
    const p = node.producer;
    if (!p) return;
    if (expanded.has(node.artifact.id)) {
      lines.push(`${indent}  <- ${c.paint('gray', '(see above)')}`);
      return;
    }
    expanded.add(node.artifact.id);
    const m = p.execution.metadata;
    const task = typeof m['task_id'] === 'string' ? m['task_id'] : (p.execution.name ?? p.execution.id);
    const run = p.execution.name?.includes('/') ? p.execution.name.slice(0, p.execution.name.lastIndexOf('/')) : undefined;
    const state = c.paint(p.execution.state === 'COMPLETE' ? 'green' : 'yellow', p.execution.state);
    lines.push(`${indent}  <- ${c.paint('bold', task)} (${state}) output '${p.path}'${run ? ` of run ${run}` : ''}  ${c.paint('gray', `execution #${p.execution.id}`)}`);
    const params = m['input_parameters'];
    if (params && typeof params === 'object' && !Array.isArray(params) && Object.keys(params).length) {
      lines.push(`${indent}     ${c.paint('gray', `parameters: ${Object.entries(params).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`)}`);
    }
    for (const input of p.inputs) visit(input.node, `${indent}     `, `${input.path}${input.index !== undefined ? `[${input.index}]` : ''}: `);
  };
  visit(root, '', '');
  return lines;
}
