// Small helpers shared by the train package's self-contained HTML reports (system.HTML artifacts).
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as const)[c as '&']};`);

/** A number with `digits` significant digits and no trailing zeros; '' when absent. */
export const num = (x: number | undefined, digits = 4) => (x === undefined ? '' : Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));

export const COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
