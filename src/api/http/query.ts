// Query-string values: they arrive as text, and a wrong one is refused with a sentence that says
// what to give (zod's own wording for a failed coercion is "expected date, received Date").
import { z } from 'zod';

/** An ISO 8601 date or date-time (2026-12-01, 2026-12-01T08:00:00Z). */
export const queryDate = () =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'not a date; give an ISO 8601 date such as 2026-12-01 or 2026-12-01T08:00:00Z' })
    .transform((s) => new Date(s));

/** A whole number, within bounds when given. */
export const queryInt = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'not a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `at least ${min}` }).max(max, { error: `at most ${max}` }));
