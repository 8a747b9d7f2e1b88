// `formalize warehouse generate|tables`: synthetic tables written into a warehouse folder, progress on stderr, listing with row counts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DuckdbWarehouse, type Row } from '@formalize/common/warehouse';

const CLI = join(import.meta.dirname, '../src/main.ts');

interface Workdir { dir: string; warehouse: string }
const workdir = async (): Promise<Workdir> => {
  const dir = await mkdtemp(join(tmpdir(), 'cli-warehouse-'));
  return { dir, warehouse: join(dir, 'warehouse') };
};
async function queryRows(w: Workdir, sql: string): Promise<Row[]> {
  const wh = await DuckdbWarehouse.open({ dir: w.warehouse });
  try {
    return await wh.query(sql);
  } finally {
    await wh.close();
  }
}
const formalize = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('formalize warehouse', () => {
  let w: Workdir;
  beforeAll(async () => {
    w = await workdir();
  });

  it('generate writes the trips with progress on stderr; tables lists them with row counts', async () => {
    const g = formalize(['warehouse', 'generate', '--table', 'my-project.synthetic.trips', '--rows', '3000', '--seed', '9', '--drift', 'year=2020', '--drift', 'mix.company.Acme Cab Co.=0.2', '--json', '--warehouse', w.warehouse]);
    expect(g.stderr).toMatch(/generating my-project\.synthetic\.trips: 3,000\/3,000 rows \(100%\)/);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ table: 'my-project.synthetic.trips', warehouse: w.warehouse, rows: 3000, seed: 9, drift: { year: 2020, mix: { company: { 'Acme Cab Co.': 0.2 } } } });
    const [r] = await queryRows(w, `SELECT min(year(trip_start_timestamp)) AS lo, max(year(trip_start_timestamp)) AS hi, count(*) FILTER (WHERE company = 'Acme Cab Co.') AS acme FROM "my-project"."synthetic"."trips"`);
    expect([r!['lo'], r!['hi']]).toEqual([2020, 2020]);
    expect(Number(r!['acme'])).toBeGreaterThan(450);
    expect(Number(r!['acme'])).toBeLessThan(750);

    // FORMALIZE_WAREHOUSE is the default folder, as in a task of the local runner.
    const t = formalize(['warehouse', 'tables', '--json'], { FORMALIZE_WAREHOUSE: w.warehouse });
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toEqual({
      warehouse: w.warehouse,
      tables: [
        { table: 'bigquery-public-data.chicago_taxi_trips.taxi_trips', rows: 15002, columns: 15 },
        { table: 'my-project.synthetic.trips', rows: 3000, columns: 15 },
      ],
    });
    const text = formalize(['warehouse', 'tables', '--warehouse', w.warehouse]);
    expect(text.stdout.split('\n')[2]).toMatch(/^my-project\.synthetic\.trips\s+3,000\s+15$/);
  });

  it.each([
    ['the public project', ['--table', 'bigquery-public-data.chicago_taxi_trips.copy'], /formalize: --table bigquery-public-data\.chicago_taxi_trips\.copy: bigquery-public-data is the read-only public project/],
    ['a bad table name', ['--table', 'my-project.x.t;drop'], /formalize: --table: invalid table id "t;drop"/],
    ['an unknown drift knob', ['--drift', 'warp=2'], /formalize: --drift warp=2: unknown knob "warp"/],
    ['a drift value out of range', ['--drift', 'missing.fare=1.5'], /formalize: drift\.missing\.fare: too big: expected number to be <=1, received 1\.5/],
    ['zero rows', ['--rows', '0'], /--rows.*expected an integer >= 1, received '0'/],
    ['a fractional seed', ['--seed', '1.5'], /--seed.*expected an integer, received '1\.5'/],
  ])('refuses %s with exit 2 and writes nothing', async (_, args, message) => {
    const base: Record<string, string> = { '--table': 'my-project.synthetic.bad', '--rows': '10', '--seed': '1' };
    for (let i = 0; i < args.length; i += 2) base[args[i]!] = args[i + 1]!;
    const extra = args.includes('--drift') ? ['--drift', args[args.indexOf('--drift') + 1]!] : [];
    delete base['--drift'];
    const r = formalize(['warehouse', 'generate', ...Object.entries(base).flat(), ...extra, '--warehouse', w.warehouse]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    const tables = await queryRows(w, `SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 'bad%'`);
    expect(tables).toEqual([]);
  });
});
