// The metadata KFP's SDK writes for system.ClassificationMetrics (dsl/types/artifact_types.py: log_roc_curve,
// log_confusion_matrix), which the KFP UI and Vertex AI Pipelines render: a confusion matrix whose rows are the
// true classes and columns the predicted ones, and an ROC curve as confidenceMetrics.
import type { JsonObject } from '@formalize/common';
import type { ConfusionCounts } from './binary.ts';
import type { ConfidencePoint } from './curves.ts';

/**
 * `{ confusionMatrix: { annotationSpecs: [{displayName}], rows: [{row}] }, confidenceMetrics: [{confidenceThreshold,
 * recall, falsePositiveRate}] }`; the curve in descending threshold order (ascending FPR), as the SDK writes what
 * scikit-learn's roc_curve returns. Points without a rate (one class only) are left out.
 */
export function classificationMetricsMetadata(confusion: ConfusionCounts, curve: readonly ConfidencePoint[], classNames: readonly [string, string]): JsonObject {
  const confidenceMetrics = [...curve]
    .sort((a, b) => b.threshold - a.threshold)
    .filter((p) => Number.isFinite(p.tpr) && Number.isFinite(p.fpr))
    .map((p) => ({ confidenceThreshold: p.threshold, recall: p.tpr, falsePositiveRate: p.fpr }));
  return {
    confusionMatrix: {
      annotationSpecs: classNames.map((displayName) => ({ displayName })),
      rows: [{ row: [confusion.tn, confusion.fp] }, { row: [confusion.fn, confusion.tp] }],
    },
    confidenceMetrics,
  };
}
