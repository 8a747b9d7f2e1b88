// File names inside the evaluation's output artifacts.
export const METRICS_FILE = 'metrics.json';
export const SCORES_FILE = 'scores.jsonl';
export const ROC_FILE = 'roc_curve.json';
export const CLASSIFICATION_FILE = 'classification_metrics.json';
export const COMPARISON_FILE = 'comparison.json';
