import * as z from 'zod';
import { routeList, rolloutFields } from './policy-common';
import { stableTargetChoices } from './traffic-split';

// The VPC Lattice variant of the policy. Identifier formats are the API model's
// (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/vpc-lattice.json: ServiceIdentifier,
// ListenerId, RuleId: a prefix and 17 lowercase letters or digits).

const latticeId = (prefix: string) => `${prefix}-[0-9a-z]{17}`;

/** A Lattice service by id, or by ARN when another account shares it. */
const latticeService = z
  .string()
  .regex(new RegExp(`^(${latticeId('svc')}|arn:[a-z0-9-]+:vpc-lattice:[a-z0-9-]+:\\d{12}:service/${latticeId('svc')})$`), 'must be a Lattice service id (svc-…) or its ARN');

/** A listener rule, or the listener's default action, as the Lattice router reads it. */
const latticeRoute = z
  .string()
  .regex(new RegExp(`^${latticeId('listener')}/(${latticeId('rule')}|default)$`), 'must be "<listener id>/<rule id>" or "<listener id>/default"');

const ecsServiceName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an ECS service name: letters, digits, - and _');

/**
 * Version 1 of the policy on VPC Lattice. Target groups are never created or deleted (attaching
 * one to an ECS service starts a deployment), so the cleanup options are about ECS services only.
 * Unknown fields are errors, so typos (or App Mesh fields) surface.
 */
export const latticePolicySchema = z
  .object({
    ...rolloutFields,
    provider: z.literal('lattice'),
    service: latticeService,
    routes: routeList(latticeRoute),
    /** The ECS service whose target group the routes forward to now; ECS, not this field, says which group that is. */
    stableService: ecsServiceName,
    promotion: z
      .object({
        scaleStableServiceToZero: z.boolean().default(true),
        drainSeconds: z.number().int().min(0).max(3600).default(30),
        stableTargetGroups: z
          .enum(stableTargetChoices, { error: `must be ${stableTargetChoices.map((choice) => `"${choice}"`).join(' or ')}` })
          .default('remove')
          .describe(
            'What promotion does with the stable target groups in each rule: "remove" them, leaving the canary alone (the default), or "keep-at-zero", leaving them in the rule at weight 0. Keep them when a later rollback or flip back should need only a weight change, or when tooling expects the target group in the rule. Either way no traffic reaches them, so the stable service may still be scaled down.',
          ),
      })
      .strict()
      .default({ scaleStableServiceToZero: true, drainSeconds: 30, stableTargetGroups: 'remove' }),
    rollback: z
      .object({
        scaleCanaryServiceToZero: z.boolean().default(true),
      })
      .strict()
      .default({ scaleCanaryServiceToZero: true }),
  })
  .strict();

export type LatticePolicy = z.output<typeof latticePolicySchema>;
export type LatticePolicyDocument = z.input<typeof latticePolicySchema>;
