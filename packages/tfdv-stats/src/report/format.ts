// Text for the report: HTML escaping and numbers as a reader wants them (counts grouped, measures to 4 significant
// digits, non-finite values spelled out).

export function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | bigint): string {
  return COUNT.format(n);
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '−∞';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return COUNT.format(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const p = (100 * part) / whole;
  return `${p === 0 || p >= 10 ? p.toFixed(0) : p < 0.1 ? p.toFixed(2) : p.toFixed(1)}%`;
}
