// Fine-tuning: when the base model's initialisation changed, the previous best is probably still close, so the
// study searches a narrow box around it instead of the whole space, and evaluates the previous best itself first
// (under the new initialisation it is the point to beat). The box: a log-scaled double within x/÷ `factor`
// (default 2), a linear one within ± a quarter of its range, a discrete parameter within ± `steps` positions
// (default 1); always clipped to the original space.
import type { Params, SearchSpace } from './space.ts';
import { contains, describeDomain } from './space.ts';

export interface FineTuneOptions {
  factor?: number;
  steps?: number;
}

export function fineTuneSpace(space: SearchSpace, previous: Params, opts: FineTuneOptions = {}): SearchSpace {
  const factor = opts.factor ?? 2;
  const steps = opts.steps ?? 1;
  if (!(factor > 1)) throw new RangeError(`fine-tune factor: expected a number above 1, received ${factor}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`fine-tune steps: expected an integer >= 1, received ${steps}`);
  return space.map((p) => {
    const v = previous[p.name];
    if (typeof v !== 'number') throw new RangeError(`previous_best.${p.name}: missing (fine-tuning needs the previous value of every searched parameter)`);
    if (!contains(p, v)) throw new RangeError(`previous_best.${p.name}: ${v} is outside the search space ${describeDomain(p)}`);
    if (p.type === 'discrete') {
      const i = p.values.indexOf(v);
      return { ...p, values: p.values.slice(Math.max(0, i - steps), i + steps + 1) };
    }
    const [lo, hi] = p.scale === 'log' ? [v / factor, v * factor] : [v - (p.max - p.min) / 4, v + (p.max - p.min) / 4];
    return { ...p, min: Math.max(p.min, lo), max: Math.min(p.max, hi) };
  });
}
