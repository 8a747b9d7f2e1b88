// Evaluation metrics shared by training (validation AUC per epoch), evaluation (test metrics, the paired
// bootstrap) and the tools that score models (the continuous-training demo's holdout).
export * from './ranking.ts';
