// report.html for a run: `renderReport` (pure) and `writeReport` (into the run folder).
export { renderReport } from './render.ts';
export { REPORT_FILE, writeReport } from './write.ts';
