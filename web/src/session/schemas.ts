import { z } from 'zod'

/*
 * What the page reads from REST, checked before any component sees it: a server that answers another
 * shape (an object where a count belongs, null, a string) becomes a ServerError shown as text, never a
 * value React cannot render. Loose objects: fields the page does not read may be anything.
 */

const count = z.number().int().nonnegative()

/** `GET …/status`: InvokeAI's SessionQueueAndProcessorStatus; the page reads `queue`'s counts. */
export const queueStatusResponseSchema = z.looseObject({
  queue: z.looseObject({
    pending: count,
    in_progress: count,
    completed: count,
    failed: count,
    canceled: count,
    total: count,
  }),
})

export const scenarioListSchema = z.array(z.looseObject({ name: z.string(), description: z.string() }))

const chaosSchema = z.looseObject({
  seed: z.number(),
  reorderWindow: z.number(),
  duplicateRate: z.number(),
  dropRate: z.number(),
  maxDelayMs: z.number(),
  disconnectRate: z.number().optional(),
})

export const deliveryOptionsSchema = z.looseObject({
  mode: z.enum(['in_order', 'double']),
  eventsBeforeEnqueueResponse: z.boolean(),
  cancelRace: z.boolean(),
  // Older simulators do not know it: the form then leaves it out.
  cancelRaceCompletes: z.boolean().optional(),
  chaos: chaosSchema.nullable(),
})

export const enqueueResultSchema = z.looseObject({ item_ids: z.array(z.number().int().nonnegative()) })

const MAX_ISSUES = 3
const MAX_ISSUE_CHARS = 200

/** The first issues of a failed parse, as one line of text: where, and what was expected. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`.slice(0, MAX_ISSUE_CHARS))
    .join('; ')
}
