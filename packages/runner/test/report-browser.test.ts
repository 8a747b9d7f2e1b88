// Opens report.html in a real browser: Debian's Chromium, driven headless by playwright-core over
// file:// (test/browser.ts). A missing browser fails these tests instead of skipping them.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/index.ts';
import type { RunRecord } from '../src/types.ts';
import { launchChromium, nodeBoxes, openFile, pngSize, VIEWPORT, type NodeBox } from './browser.ts';
import { largeRun, sampleRun } from './fixtures/report/runs.ts';

let tmp: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'report-browser-'));
});

afterAll(async () => {
  await context?.close();
  if (!process.env['REPORT_KEEP_OUTPUT']) await rm(tmp, { recursive: true, force: true });
});

/** Writes the run's report plus every artifact and log it links to, and opens it in the shared browser. */
async function open(run: RunRecord, contents: ReadonlyMap<string, string> = new Map()): Promise<{ page: Page; problems: string[] }> {
  for (const t of run.tasks) if (t.log) await touch(join(run.runDir, t.log));
  const artifacts = [run.outputs, ...run.tasks.flatMap((t) => [t.inputs, t.outputs])].flatMap((io) => Object.values(io.artifacts).flat());
  for (const a of artifacts) if (a.uri.startsWith(`${run.runDir}/`)) await touch(a.uri, contents.get(a.uri));
  const path = await writeReport(run);
  context ??= await launchChromium(tmp);
  return openFile(context, path);
}

async function touch(path: string, content = 'x'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

function assertLayout(boxes: NodeBox[], run: RunRecord): void {
  expect(boxes.map((b) => b.id).sort()).toEqual(run.tasks.map((t) => t.id).sort());
  const byId = new Map(boxes.map((b) => [b.id, b]));
  for (const b of boxes) {
    expect(b.w, b.id).toBeGreaterThan(50);
    expect(b.h, b.id).toBeGreaterThan(20);
    const p = byId.get(b.parent);
    if (p) {
      expect(b.x >= p.x && b.y >= p.y && b.x + b.w <= p.x + p.w && b.y + b.h <= p.y + p.h, `${b.id} inside ${p.id}`).toBe(true);
    }
  }
  for (const group of Map.groupBy(boxes, (b) => b.parent).values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i]!, group[j]!];
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
  }
}

describe('report.html in headless Chromium', () => {
  it('renders the DAG with one laid-out node per task, working links and no errors, and screenshots it', async () => {
    const run = sampleRun(join(tmp, 'root', 'chicago-custom-training-20261128090000-ab12'));
    const { page, problems } = await open(run);

    expect(await page.title()).toBe('chicago-custom-training · 20261128090000-ab12');
    expect(await page.locator('.task-node').count()).toBe(run.tasks.length);
    assertLayout(await nodeBoxes(page), run);
    expect(await page.locator('svg.dag path.edge').count()).toBe(run.tasks.reduce((n, t) => n + t.dependsOn.length, 0));

    // Labels fit their boxes: no name is cut by its clip, and group headers don't run into the state text.
    const clipped = await page.$$eval('svg.dag .task-node svg', (clips) => clips.flatMap((clip) => {
      const text = clip.querySelector('text')!;
      return text.getBBox().width > Number(clip.getAttribute('width')) ? [text.textContent] : [];
    }));
    expect(clipped).toEqual([]);
    const headerClashes = await page.$$eval('svg.dag .group', (groups) => groups.flatMap((g) => {
      const name = g.querySelector('svg text')!.getBoundingClientRect();
      const state = g.querySelector(':scope > a > text.state')!.getBoundingClientRect();
      return name.right > state.left ? [g.getAttribute('data-task-id')] : [];
    }));
    expect(headerClashes).toEqual([]);

    // The page as a reader first sees it, and the graph alone.
    const png = join(tmp, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    await page.locator('#dag').screenshot({ path: join(tmp, 'report-dag.png') });
    const size = pngSize(await readFile(png));
    expect(size?.width).toBe(VIEWPORT.width);
    expect(size!.height).toBeGreaterThan(VIEWPORT.height);
    expect((await stat(png)).size).toBeGreaterThan(50_000);
    if (process.env['REPORT_KEEP_OUTPUT']) console.log(`report and screenshots kept in ${tmp}`);

    // Text is real text (escaped, not markup) and the inline script works.
    expect(await page.locator('svg.dag [data-task-id="notify-team"] text.name').textContent()).toBe('notify <team> & "ops"');
    expect(await page.locator('script').count()).toBe(1);
    const cachedIdx = run.tasks.findIndex((t) => t.id === 'exit-handler-1.extract-data');
    expect(await page.locator(`#task-${cachedIdx}`).evaluate((d) => d.hasAttribute('open'))).toBe(false);
    await page.locator('svg.dag [data-task-id="exit-handler-1.extract-data"] > a').click();
    await expect.poll(() => page.locator(`#task-${cachedIdx}`).evaluate((d) => d.hasAttribute('open'))).toBe(true);
    expect(page.url()).toMatch(new RegExp(`#task-${cachedIdx}$`));

    // Every relative link resolves to a file in the run folder.
    const hrefs = await page.$$eval('a[href]:not([href^="#"])', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    const targets = hrefs.map((h) => new URL(h, page.url()).href);
    expect(targets.length).toBeGreaterThan(10);
    for (const href of targets) {
      expect(href.startsWith(pathToFileURL(run.runDir).href + '/'), href).toBe(true);
      expect(existsSync(fileURLToPath(href)), href).toBe(true);
    }

    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows an HTML artifact (training curves, KFP style: a file without .html) rendered in place, its scripts not run', async () => {
    const run = sampleRun(join(tmp, 'root', 'chicago-custom-training-html'));
    const curves = `${run.runDir}/exit-handler-1/for-loop-2/0/evaluate-model/curves`;
    const page0 = '<!doctype html><html><head><style>h1{color:rgb(1, 2, 3)}</style></head><body><h1>Training curves</h1>'
      + '<svg width="300" height="100"><path class="series" d="M0,90L100,40L200,20" stroke="#000"/></svg>'
      + '<script>document.body.dataset.ran = "yes"</script></body></html>';
    const { page, problems } = await open(run, new Map([[curves, page0]]));
    const frame = page.frameLocator('iframe.html-artifact').first();
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Training curves');
    // Rendered as HTML with its own inline style (not shown as text), the chart laid out.
    expect(await frame.locator('h1').evaluate((h) => h.ownerDocument.defaultView!.getComputedStyle(h).color)).toBe('rgb(1, 2, 3)');
    expect(await frame.locator('path.series').evaluate((p) => (p as unknown as { getBBox(): { width: number } }).getBBox().width)).toBe(200);
    // Sandboxed: its script did not run.
    expect(await frame.locator('body').getAttribute('data-ran')).toBeNull();
    expect(problems.filter((p) => !/Blocked script execution in 'about:srcdoc'/.test(p))).toEqual([]);
    await page.close();
  }, 60_000);

  it('lays out a 180-task run without overlaps', async () => {
    const run = largeRun(join(tmp, 'root', 'fan-out-large'), 60);
    const { page, problems } = await open(run);
    expect(await page.locator('.task-node').count()).toBe(183);
    assertLayout(await nodeBoxes(page), run);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
