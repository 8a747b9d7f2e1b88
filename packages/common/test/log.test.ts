import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines when the stream is not a TTY', () => {
    const s = sink(false);
    const log = createLogger({ component: 'c', stream: s.stream, now: () => 0 });
    log.info('started', { rows: 3 });
    log.warn('careful');
    expect(s.text().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { time: '1970-01-01T00:00:00.000Z', severity: 'INFO', component: 'c', message: 'started', rows: 3 },
      { time: '1970-01-01T00:00:00.000Z', severity: 'WARNING', component: 'c', message: 'careful' },
    ]);
  });

  it('throttles JSON progress per label but always reports completion', () => {
    const s = sink(false);
    let t = 0;
    const log = createLogger({ component: 'c', stream: s.stream, now: () => t, progressIntervalMs: 1000 });
    log.progress('rows', 1, 10);
    t = 500; log.progress('rows', 5, 10);
    t = 1500; log.progress('rows', 8, 10);
    t = 1600; log.progress('rows', 10, 10);
    expect(s.text().trim().split('\n').map((l) => JSON.parse(l).done)).toEqual([1, 8, 10]);
  });

  it('writes readable text and an in-place progress line on a TTY', () => {
    const s = sink(true);
    const log = createLogger({ component: 'c', stream: s.stream });
    log.progress('epochs', 1, 4);
    log.info('note', { k: 'v' });
    log.progress('epochs', 4, 4);
    log.error('bad');
    expect(s.text()).toBe('\r[c] epochs: 1/4 (25%)\x1b[K\n[c] note k=v\n\r[c] epochs: 4/4 (100%)\x1b[K\n[c] ERROR: bad\n');
  });
});
