import * as z from 'zod';
import { PolicyInvalidError } from './errors';
import { type PresetName, presets } from './presets';
import { maxRolloutSeconds, worstCaseDurationSeconds } from './schedule';

const appMeshName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, 'must use only letters, digits, - and _');

const weight = z.number().int('must be a whole number').min(1).max(100);

const schedule = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('steps'), steps: z.array(weight).min(1).max(50) })
    .strict()
    .refine((value) => value.steps.every((step, index) => index === 0 || step > (value.steps[index - 1] ?? 0)), {
      message: 'must be strictly increasing',
      path: ['steps'],
    })
    .refine((value) => value.steps.at(-1) === 100, { message: 'must end at 100', path: ['steps'] }),
  z
    .object({
      type: z.literal('linear'),
      stepPercent: weight,
      everySeconds: z.number().int().min(0).max(86_400),
    })
    .strict(),
  z
    .object({
      type: z.literal('preset'),
      name: z.enum(Object.keys(presets) as [PresetName, ...PresetName[]]),
    })
    .strict(),
]);

/** Version 1 of the per-service rollout policy. Unknown fields are errors, so typos surface. */
export const policySchema = z
  .object({
    version: z.literal(1),
    mesh: appMeshName,
    meshOwner: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    virtualRouter: appMeshName,
    routes: z
      .array(appMeshName)
      .min(1)
      .max(10)
      .refine((routes) => new Set(routes).size === routes.length, 'must not name a route twice'),
    schedule,
    bakeSeconds: z.number().int().min(0).max(86_400).default(60),
    alarms: z
      .array(z.string().min(1).max(255))
      .max(20)
      .refine((alarms) => new Set(alarms).size === alarms.length, 'must not name an alarm twice')
      .default([]),
    toleratedFailedChecks: z.number().int().min(0).max(10).default(0),
    canaryDnsHostname: z.string().min(1).max(253).optional(),
    promotion: z
      .object({
        deleteStableNode: z.boolean().default(true),
        scaleStableServiceToZero: z.boolean().default(true),
        drainSeconds: z.number().int().min(0).max(3600).default(30),
      })
      .strict()
      .default({ deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 30 }),
    rollback: z
      .object({
        deleteCanaryNode: z.boolean().default(true),
        scaleCanaryServiceToZero: z.boolean().default(true),
      })
      .strict()
      .default({ deleteCanaryNode: true, scaleCanaryServiceToZero: true }),
  })
  .strict();

export type Policy = z.output<typeof policySchema>;
export type PolicyDocument = z.input<typeof policySchema>;

/**
 * Turns zod's issues into one sentence per field, e.g. `policy.schedule.steps: must end at 100`.
 * @example formatIssues('policy', result.error.issues)
 */
export function formatIssues(root: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
        root,
      );
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates a policy document (already parsed JSON or a JSON string) and fills defaults.
 * @example parsePolicy({ version: 1, mesh: 'm', virtualRouter: 'r', routes: ['a'], schedule: { type: 'preset', name: 'AllAtOnce' } })
 */
export function parsePolicy(document: unknown, source = 'policy'): Policy {
  let value = document;
  if (typeof document === 'string') {
    try {
      value = JSON.parse(document);
    } catch (error) {
      throw new PolicyInvalidError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const result = policySchema.safeParse(value);
  if (!result.success) {
    throw new PolicyInvalidError(`Invalid ${source}: ${formatIssues(source, result.error.issues)}`, { cause: result.error });
  }
  // Step Functions ends an execution at its timeout with no Catch, which would leave the route
  // half-shifted (I6), so a schedule that cannot finish well inside it is refused up front.
  const worstCase = worstCaseDurationSeconds(result.data);
  if (worstCase > maxRolloutSeconds) {
    throw new PolicyInvalidError(
      `Invalid ${source}: ${source}.schedule: takes up to ${worstCase} s with bakes, tolerated failed checks and drain; the limit is ${maxRolloutSeconds} s`,
    );
  }
  return result.data;
}
