// What the demo prints: a line per batch and pipeline run while it goes, one summary line per step, then the
// table of all steps and the three properties.
import { join } from 'node:path';
import { formatDuration, table, type Colors } from '../format.ts';
import type { DemoEvent } from './continuous-training.ts';
import type { DemoResult, StepRecord } from './schema.ts';

const count = (n: number) => n.toLocaleString('en-US');
const f4 = (x: number) => x.toFixed(4);

const distance = (d: StepRecord['tuning']['maxCategorical']) => (d ? `${d.value.toFixed(3)} ${d.feature}` : '-');

export function progressLine(e: DemoEvent, c: Colors): string | undefined {
  switch (e.type) {
    case 'generating':
      return `${e.what}: generating ${count(e.rows)} trips into ${e.table} (seed ${e.seed})`;
    case 'pipeline': {
      const where = e.step === 'holdout' ? 'holdout' : `step ${e.step}`;
      if (!e.run) return `${where}: running ${e.name}`;
      const ms = e.run.endTime ? Date.parse(e.run.endTime) - Date.parse(e.run.startTime) : NaN;
      const state = e.run.state === 'SUCCEEDED' ? c.paint('green', e.run.state) : c.paint('red', e.run.state);
      return `${where}: ${e.name} ${state} in ${formatDuration(ms)} (${join(e.run.runDir, 'report.html')})`;
    }
    case 'step-finished':
      return stepSummary(e.record, c);
  }
}

export function stepSummary(s: StepRecord, c: Colors): string {
  const t = s.tuning;
  return [
    c.paint('bold', `step ${s.step} done in ${formatDuration(s.seconds * 1000)}:`),
    `  tuning     ${t.action}: ${t.reason} (largest distances since tuning: L-inf ${distance(t.maxCategorical)}, JS ${distance(t.maxNumeric)})`,
    `  candidate  val AUC ${f4(s.candidate.valAuc)}, test AUC ${f4(s.candidate.testAuc)}, holdout AUC ${f4(s.candidate.holdoutAuc)} (lr ${t.hyperparameters.learning_rate.toPrecision(3)}, batch ${t.hyperparameters.batch_size})`,
    `  registry   ${s.registry.isNewBest ? c.paint('green', 'NEW BEST') : 'kept the best'}: ${s.registry.decision}`,
    `  best       v${s.best.version}, holdout AUC ${f4(s.best.holdoutAuc)}`,
  ].join('\n');
}

export const TABLE_HEADERS = ['STEP', 'TRIPS', 'DRIFT', 'TUNING', 'L-INF', 'JS', 'VAL AUC', 'TEST AUC', 'HOLDOUT AUC', 'REGISTRY', 'P', 'BEST', 'BEST HOLDOUT AUC'];

export function stepsTable(result: DemoResult, c: Colors): string {
  const rows = result.steps.map((s) => [
    String(s.step),
    count(s.batch.rows),
    s.batch.drifted ? 'yes' : '-',
    s.tuning.action,
    s.tuning.maxCategorical ? s.tuning.maxCategorical.value.toFixed(3) : '-',
    s.tuning.maxNumeric ? s.tuning.maxNumeric.value.toFixed(3) : '-',
    f4(s.candidate.valAuc),
    f4(s.candidate.testAuc),
    f4(s.candidate.holdoutAuc),
    s.registry.isNewBest ? `new best v${s.registry.version}` : 'kept',
    s.step === 1 ? '-' : s.registry.pValue.toFixed(3),
    `v${s.best.version}`,
    f4(s.best.holdoutAuc),
  ]);
  return table(TABLE_HEADERS, rows, c);
}

export function finalReport(result: DemoResult, c: Colors): string {
  const h = result.holdout;
  return [
    '',
    stepsTable(result, c),
    '',
    `holdout: ${count(h.rows)} trips drawn once from the undrifted world (${h.table}, seed ${h.seed}), its test split scored; dataset ${h.dataset}`,
    'L-INF / JS: largest drift distance of a categorical / numeric feature from the statistics the hyperparameters in use were tuned on',
    '',
    ...result.properties.map((p) => `${p.holds ? c.paint('green', 'PASS') : c.paint('red', 'FAIL')} ${p.name}: ${p.detail}`),
    '',
    `${result.ok ? 'all three properties hold' : `failed: ${result.properties.filter((p) => !p.holds).map((p) => p.name).join(', ')}`} (${formatDuration(result.seconds * 1000)}; pipeline root ${result.options.root})`,
  ].join('\n');
}
