// The report.html of a real `formalize run` (not a fixture), opened in headless Chromium with the
// runner's browser helper: one DAG node per task with the state the run recorded, and a screenshot.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@formalize/runner';
import { launchChromium, nodeBoxes, openFile, pngSize, VIEWPORT } from '../../runner/test/browser.ts';
import { cli, tempWorkdir, writeSpec } from './helpers.ts';

let work: ReturnType<typeof tempWorkdir>;
let context: BrowserContext | undefined;

beforeAll(() => {
  work = tempWorkdir();
  writeSpec(work.dir);
});
afterAll(async () => {
  await context?.close();
  work.cleanup();
});

describe('report.html of a CLI run in Chromium', () => {
  it('shows one DAG node per task with its recorded state, the failure, and renders to a screenshot', async () => {
    // boom fails (exit 3); say and nap succeed: the report must tell them apart.
    const r = await cli(['run', 'spec.ts', '--image-map', 'alpine=host', '--param', 'code=3', '--run-id', 'report'], work.dir);
    expect(r.code, r.stderr).toBe(1);
    const runDir = join(work.dir, '.formalize', 'cli-test-report');
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(Object.fromEntries(run.tasks.map((t) => [t.id, t.state]))).toEqual({ say: 'SUCCEEDED', nap: 'SUCCEEDED', boom: 'FAILED' });
    expect(r.stdout).toContain(`report:     ${join(runDir, 'report.html')}`);

    context = await launchChromium(work.dir);
    const { page, problems } = await openFile(context, join(runDir, 'report.html'));
    expect(await page.title()).toBe('cli-test · report');
    const nodes = await nodeBoxes(page);
    expect(nodes.map((n) => [n.id, n.state]).sort()).toEqual(run.tasks.map((t) => [t.id, t.state]).sort());
    for (const n of nodes) {
      expect(n.w, n.id).toBeGreaterThan(50);
      expect(n.h, n.id).toBeGreaterThan(20);
    }
    // Each node prints its state in words.
    for (const t of run.tasks) {
      const text = await page.locator(`svg.dag .task-node[data-task-id="${t.id}"] text.state`).textContent();
      expect(text, t.id).toMatch(new RegExp(`^${t.state.replace('_', ' ')}\\b`, 'i'));
    }
    // The dependency edges: say -> nap and say -> boom.
    const edges = await page.$$eval('svg.dag path.edge', (els) => els.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`));
    expect(edges.sort()).toEqual(['say->boom', 'say->nap']);
    // The failed task's error, with its last log lines, is on the page.
    expect(await page.locator('body').textContent()).toContain('the last words');

    const png = join(work.dir, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const bytes = await readFile(png);
    expect(pngSize(bytes)?.width).toBe(VIEWPORT.width);
    expect(pngSize(bytes)!.height).toBeGreaterThanOrEqual(VIEWPORT.height);
    // A blank page of this size compresses to a few kilobytes; a drawn report does not.
    expect((await stat(png)).size).toBeGreaterThan(30_000);
    expect(problems).toEqual([]);
    await page.close();
  });
});
