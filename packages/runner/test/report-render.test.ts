import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport, writeReport } from '../src/report/index.ts';
import { layoutTasks, type PlacedTask } from '../src/report/layout.ts';
import { duration, esc, runRelativeHref } from '../src/report/render.ts';
import type { TaskRecord } from '../src/types.ts';
import { ESCAPE_PROBE, largeRun, sampleRun } from './fixtures/report/runs.ts';

const RUN_DIR = '/data/pipeline-root/chicago-custom-training-20261128090000-ab12';
const run = sampleRun(RUN_DIR);
const html = renderReport(run);

const attrs = (name: string, source = html) => [...source.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The `<g class="task-node ...">` opening tags, keyed by task id. */
const nodeTags = new Map([...html.matchAll(/<g class="task-node[^>]*>/g)].map((m) => [unescape(/data-task-id="([^"]*)"/.exec(m[0])![1]!), m[0]]));

function overlaps(a: PlacedTask, b: PlacedTask): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('renderReport', () => {
  it('draws one DAG node per task', () => {
    expect(run.tasks.length).toBe(18);
    expect((html.match(/<g class="task-node/g) ?? []).length).toBe(run.tasks.length);
    expect([...nodeTags.keys()].sort()).toEqual(run.tasks.map((t) => t.id).sort());
  });

  it('draws nested DAG tasks as groups and same-parent dependencies as arrows', () => {
    const groups = run.tasks.filter((t) => t.kind === 'dag').map((t) => t.id);
    for (const id of groups) expect(nodeTags.get(id)).toContain(' group ');
    expect(nodeTags.get('exit-handler-1')).toContain('kind-exit-handler');
    expect(nodeTags.get('exit-handler-1.condition-3')).toContain('kind-condition');
    expect(nodeTags.get('exit-handler-1.for-loop-2')).toContain('kind-loop');
    expect(nodeTags.get('exit-handler-1.for-loop-2[1]')).toContain('kind-iteration');
    const edges = [...html.matchAll(/<path class="edge[^"]*" data-from="([^"]*)" data-to="([^"]*)"/g)].map((m) => `${m[1]}->${m[2]}`).sort();
    const expected = run.tasks.flatMap((t) => t.dependsOn.map((d) => `${d}->${t.id}`)).sort();
    expect(edges).toEqual(expected);
    expect(edges).toContain('exit-handler-1->notify-team');
  });

  it('shows every task state in the graph, the table and the details', () => {
    for (const t of run.tasks) expect(nodeTags.get(t.id)).toContain(`data-state="${t.state}"`);
    for (const label of ['Succeeded', 'Failed', 'Skipped', 'Not triggered', 'Cached']) {
      expect(html).toContain(`>${label}</span>`);
      expect(html).toMatch(new RegExp(`<text class="state"[^>]*>${label}`));
    }
    // The CACHED badge only on the cached task; failed task details open; the run's failed task is linked.
    expect((html.match(/class="badge-cached"/g) ?? []).length).toBe(1);
    const cachedAt = html.indexOf('data-task-id="exit-handler-1.extract-data"');
    expect(html.indexOf('badge-cached', cachedAt)).toBeLessThan(html.indexOf('</g>', html.indexOf('</a>', cachedAt)));
    const failedIdx = run.tasks.findIndex((t) => t.id === run.failedTask);
    expect(html).toContain(`<details class="task" id="task-${failedIdx}" open>`);
    expect(html).toContain('ValueError: loss is NaN at epoch 3 (lr=0.3 &gt; 0.1)');
    expect(html).toContain('46.0 s · 3 attempts');
    expect(html).toContain('>1m 37s<');
  });

  it('escapes names, values and errors', () => {
    expect(html).not.toContain(ESCAPE_PROBE);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain(esc(ESCAPE_PROBE));
    expect(esc(ESCAPE_PROBE)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('notify &lt;team&gt; &amp; &quot;ops&quot;');
    expect(html).not.toContain('notify <team>');
    expect(html.match(/<script>/g)).toHaveLength(1);
    // Attribute values never carry a raw quote or angle bracket.
    for (const tag of nodeTags.values()) expect(tag).toMatch(/^<g( [a-z-]+="[^"<>]*")+>$/);
  });

  it('links artifacts and logs relative to the run folder, and nothing outside it', () => {
    const hrefs = attrs('href');
    expect(hrefs).toContain('exit-handler-1/extract-data/dataset');
    expect(hrefs).toContain('exit-handler-1/for-loop-2/1/train-model/task.log');
    expect(hrefs).toContain('exit-handler-1/for-loop-2/2/evaluate-model/metrics');
    for (const h of hrefs) {
      if (h === 'data:,') continue;
      expect(h).toMatch(/^(#task-\d+|[\w.%-]+(\/[\w.%-]+)*)$/);
      expect(h).not.toMatch(/^\/|:|(^|\/)\.\.(\/|$)/);
    }
    // An artifact outside the run folder is shown as text, not linked.
    expect(html).toContain('<code>gs://other-bucket/models/ext</code>');
    expect(hrefs.some((h) => h.includes('other-bucket'))).toBe(false);
  });

  it('shows the HTML artifacts it is given in place, inline and sandboxed; others are only linked', () => {
    const curves = (i: number) => `${RUN_DIR}/exit-handler-1/for-loop-2/${i}/evaluate-model/curves`;
    const page = `<h1 class="x">Curves & "quotes"</h1>${ESCAPE_PROBE}`;
    const withHtml = renderReport(run, { htmlArtifacts: new Map([[curves(0), page]]) });
    const frames = [...withHtml.matchAll(/<iframe class="html-artifact"[^>]*>/g)].map((m) => m[0]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/ sandbox /);
    expect(unescape(attrs('srcdoc', withHtml)[0]!)).toBe(page);
    // The page is an attribute value: nothing of it leaks into the report's own markup.
    expect(withHtml).not.toContain(ESCAPE_PROBE);
    // The other runs' curves (not given) and the metrics (no HTML) are linked, not framed.
    expect(withHtml).toContain(`href="exit-handler-1/for-loop-2/2/evaluate-model/curves"`);
    expect(html).not.toContain('<iframe');
  });

  it('is self-contained and deterministic', () => {
    expect(attrs('src')).toEqual([]);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(html).not.toMatch(/@import|url\((?!#arrow)/);
    expect(renderReport(sampleRun(RUN_DIR))).toBe(html);
  });

  it('renders a run with no tasks', () => {
    const empty = renderReport({ ...run, tasks: [], failedTask: undefined, state: 'RUNNING', endTime: undefined });
    expect(empty).toContain('No task ran.');
    expect(empty).toContain('>Running</span>');
  });
});

describe('runRelativeHref', () => {
  const where = { runDir: '/root/p/job-1', pipelineRoot: '/root/p' };
  it('makes paths under the run folder relative and percent-encodes them', () => {
    expect(runRelativeHref(where, '/root/p/job-1/a/b')).toBe('a/b');
    expect(runRelativeHref(where, 'file:///root/p/job-1/a%20b/c')).toBe('a%20b/c');
    expect(runRelativeHref(where, '/root/p/job-1/x y/#1?.txt')).toBe('x%20y/%231%3F.txt');
    expect(runRelativeHref(where, '/root/p/job-1')).toBe('./');
  });
  it('maps a URI under a gs:// pipeline root onto the local run folder', () => {
    expect(runRelativeHref({ runDir: '/mnt/gcs/b/root/job-1', pipelineRoot: 'gs://b/root/' }, 'gs://b/root/job-1/t/model')).toBe('t/model');
  });
  it('leaves everything else unlinked', () => {
    expect(runRelativeHref(where, '/root/p/job-10/a')).toBeUndefined();
    expect(runRelativeHref(where, '/root/p/job-1/../secret')).toBeUndefined();
    expect(runRelativeHref(where, 'gs://bucket/x')).toBeUndefined();
    expect(runRelativeHref(where, 'javascript:alert(1)')).toBeUndefined();
  });
});

describe('duration', () => {
  it('formats spans for humans', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    expect(duration(t(0), t(0.25))).toBe('250 ms');
    expect(duration(t(0), t(12.34))).toBe('12.3 s');
    expect(duration(t(0), t(185))).toBe('3m 05s');
    expect(duration(t(0), t(7260))).toBe('2h 01m');
    expect(duration(t(0), undefined, true)).toBe('running');
    expect(duration(undefined, t(1))).toBe('');
  });
});

describe('layoutTasks', () => {
  const big = largeRun('/data/root/fan-out-large', 60);
  const layout = layoutTasks(big.tasks);
  const byId = new Map(layout.nodes.map((n) => [n.task.id, n]));

  it('places every task of a 180-task run once, siblings apart and children inside their group', () => {
    expect(big.tasks.length).toBe(183);
    expect(layout.nodes.map((n) => n.task.id).sort()).toEqual(big.tasks.map((t) => t.id).sort());
    const siblings = Map.groupBy(layout.nodes, (n) => n.task.parent);
    for (const group of siblings.values()) {
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) expect(overlaps(group[i]!, group[j]!)).toBe(false);
    }
    for (const n of layout.nodes) {
      expect(n.w).toBeGreaterThan(0);
      const p = byId.get(n.task.parent);
      if (!p) continue;
      expect(n.x).toBeGreaterThan(p.x);
      expect(n.y).toBeGreaterThan(p.y);
      expect(n.x + n.w).toBeLessThan(p.x + p.w);
      expect(n.y + n.h).toBeLessThan(p.y + p.h);
    }
  });

  it('layers by dependencies and wraps edge-free siblings into a grid', () => {
    const x = (id: string) => byId.get(id)!.x;
    expect(x('prepare')).toBeLessThan(x('for-loop-1'));
    expect(x('for-loop-1') + byId.get('for-loop-1')!.w).toBeLessThan(x('aggregate'));
    expect(x('for-loop-1[0].fetch-shard')).toBeLessThan(x('for-loop-1[0].score-shard'));
    const columns = new Set(big.tasks.filter((t) => t.parent === 'for-loop-1').map((t) => x(t.id)));
    expect(columns.size).toBeGreaterThan(1);
    expect(layout.width).toBeLessThan(2000);
  });

  it('survives records with dangling parents and dependency cycles', () => {
    const base = largeRun('/r/x', 1).tasks[0]!;
    const t = (id: string, parent: string, dependsOn: string[]): TaskRecord => ({ ...base, id, name: id, displayName: id, parent, dependsOn });
    const odd = layoutTasks([t('a', '', ['b']), t('b', '', ['a']), t('c', 'missing', []), t('d', 'e', []), t('e', 'd', [])]);
    expect(odd.nodes.map((n) => n.task.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (const a of odd.nodes) for (const b of odd.nodes) if (a !== b && a.task.parent === b.task.parent) expect(overlaps(a, b)).toBe(false);
  });
});

describe('writeReport', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('writes report.html into the run folder and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-write-'));
    dirs.push(dir);
    const r = sampleRun(join(dir, 'chicago-custom-training-1'));
    const path = await writeReport(r);
    expect(path).toBe(join(r.runDir, 'report.html'));
    expect(await readFile(path, 'utf8')).toBe(renderReport(r));
    await writeReport({ ...r, state: 'SUCCEEDED' });
    expect(await readdir(r.runDir)).toEqual(['report.html']);
  });

  it('reads the HTML artifacts that exist (a file, or a folder with index.html) into the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-write-'));
    dirs.push(dir);
    const r = sampleRun(join(dir, 'chicago-custom-training-1'));
    const curves = (i: number) => join(r.runDir, `exit-handler-1/for-loop-2/${i}/evaluate-model/curves`);
    await mkdir(dirname(curves(0)), { recursive: true });
    await writeFile(curves(0), '<p>as a file</p>');
    await mkdir(curves(2), { recursive: true });
    await writeFile(join(curves(2), 'index.html'), '<p>as a folder</p>');
    const written = await readFile(await writeReport(r), 'utf8');
    expect(attrs('srcdoc', written).map(unescape)).toEqual(['<p>as a file</p>', '<p>as a folder</p>']);
  });
});
