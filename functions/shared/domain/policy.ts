import * as z from 'zod';
import { PolicyInvalidError } from './errors';
import { type LatticePolicy, latticePolicySchema } from './lattice-policy';
import { routeList, rolloutFields } from './policy-common';
import { maxRolloutSeconds, worstCaseDurationSeconds } from './schedule';

const appMeshName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, 'must use only letters, digits, - and _');

/** Version 1 of the per-service rollout policy on App Mesh. Unknown fields are errors, so typos surface. */
export const policySchema = z
  .object({
    ...rolloutFields,
    /** App Mesh is the default: a policy without a provider is one. */
    provider: z.literal('appmesh').optional(),
    mesh: appMeshName,
    meshOwner: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    virtualRouter: appMeshName,
    routes: routeList(appMeshName),
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

/** An App Mesh policy, as the color app and most tests write one. */
export type PolicyDocument = z.input<typeof policySchema>;
export type AppMeshPolicy = z.output<typeof policySchema>;
export type Policy = AppMeshPolicy | LatticePolicy;

/** Each provider's variant of the policy, chosen by its `provider` field (App Mesh when absent). */
const variants = { appmesh: policySchema, lattice: latticePolicySchema } as const;

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
  const provider = (value as { provider?: unknown } | null)?.provider ?? 'appmesh';
  if (typeof provider !== 'string' || !(provider in variants)) {
    throw new PolicyInvalidError(`Invalid ${source}: ${source}.provider: must be one of ${Object.keys(variants).join(', ')}, not ${JSON.stringify(provider)}`);
  }
  const result = variants[provider as keyof typeof variants].safeParse(value);
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
