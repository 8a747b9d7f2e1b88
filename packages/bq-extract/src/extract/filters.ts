// Row filters of columns mode as data: `{column, op, value}`. The operator is one of a fixed set that maps to fixed
// SQL; the column is checked against the table and quoted; the value travels as a query parameter. Kept free of
// the warehouse so the contract module stays light.
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const FILTER_OPS = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'] as const;

export const filterSchema = z.object({
  column: z.string().min(1),
  op: z.enum(FILTER_OPS),
  value: z.union([scalar, z.array(scalar).min(1)]).optional(),
}).strict();

export type RowFilter = z.infer<typeof filterSchema>;
