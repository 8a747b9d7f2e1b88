// Debian's Chromium, driven headless by playwright-core over file://, for tests that open a report.html
// as a reader would. Chromium is a CI prerequisite (scripts/ci-services.sh installs it): a missing
// browser fails the test instead of skipping it. Used by the runner's and the CLI's report tests.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** No sandbox (root in CI), no GPU, and nothing that phones home: this machine's network is closed. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const VIEWPORT = { width: 1600, height: 1000 };

/** Launches Chromium with a fresh profile folder under `tmp`, offline. */
export async function launchChromium(tmp: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the report browser tests need Debian's chromium; run scripts/ci-services.sh (or apt-get install -y chromium)`);
  const profile = await mkdtemp(join(tmp, 'profile-'));
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT, offline: true });
}

/** Opens a local file; `problems` collects console errors and warnings, page errors, failed and non-file requests. */
export async function openFile(context: BrowserContext, path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, problems };
}

export interface NodeBox { id: string; parent: string; state: string; x: number; y: number; w: number; h: number }

/** The report DAG's task nodes: ids, states and client rectangles (each node's own shapes, not the edges). */
export function nodeBoxes(page: Page): Promise<NodeBox[]> {
  return page.$$eval('svg.dag .task-node', (els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { id: el.getAttribute('data-task-id') ?? '', parent: el.getAttribute('data-parent') ?? '', state: el.getAttribute('data-state') ?? '', x: r.x, y: r.y, w: r.width, h: r.height };
  }));
}

/** PNG signature, then IHDR width and height (big-endian) at bytes 16 and 20. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
