// Vertex AI resource labels (cloud.google.com/vertex-ai/docs/general/resource-labels): at most 64; keys 1-63
// characters, lowercase letters (international allowed), digits, underscores and dashes, starting with a letter;
// values 0-63 of the same characters. Checked here so a dataset that registers locally registers on Vertex too.
import { z } from 'zod';

const KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
export const MAX_LABELS = 64;

export const labelsSchema = z.record(z.string(), z.string().regex(VALUE, 'label value: 0-63 lowercase letters, digits, _ or -'))
  .superRefine((labels, ctx) => {
    // Keys checked here rather than by a key schema, whose failure zod reports without its message.
    for (const key of Object.keys(labels)) {
      if (!KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], input: key, message: 'label key: 1-63 lowercase letters, digits, _ or -, starting with a letter' });
    }
    if (Object.keys(labels).length > MAX_LABELS) ctx.addIssue({ code: 'custom', input: labels, message: `at most ${MAX_LABELS} labels` });
  });
