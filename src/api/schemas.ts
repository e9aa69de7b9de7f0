/**
 * Schema pieces shared by the API's routes. Field names follow Presidio's REST API (snake case)
 * so its clients need few changes.
 */
import { z } from 'zod';

/** An entity type name such as `US_SSN`: caller-supplied, so its shape is bounded. */
export const entityTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an upper-case entity type such as EMAIL_ADDRESS')
  .describe('An entity type, such as EMAIL_ADDRESS or US_SSN');

/** The body of every error response. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe('A stable code from the error catalogue (docs/errors.md)'),
      message: z.string().describe('What to fix; never holds submitted content'),
    }),
  })
  .describe('An error');

/** The error responses every protected route can give. */
export { countsByType } from './presented-analysis.js';

export const protectedErrorResponses = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  413: errorResponseSchema,
  415: errorResponseSchema,
  429: errorResponseSchema,
  500: errorResponseSchema,
} as const;
