import * as z from 'zod';
import { InvalidInputError } from './domain/errors';
import { formatIssues } from './domain/policy';

/**
 * The EventBridge envelope. Powertools' parser ships the same schema, but it imports zod in a
 * way esbuild cannot tree-shake (about 370 KB more per bundle, see docs/BENCHMARKS.md).
 */
const eventBridgeEnvelope = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime({ offset: true }),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
});

const serviceArnPattern = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:service\/([^/]+)\/([^/]+)$/;

export const deploymentEventSchema = eventBridgeEnvelope.extend({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Deployment State Change'),
  resources: z.array(z.string().regex(serviceArnPattern, 'must be an ECS service ARN with a cluster')).min(1),
  detail: z.object({
    eventName: z.enum(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']),
    deploymentId: z.string().regex(/^ecs-svc\/\d+$/, 'must look like ecs-svc/<digits>'),
    updatedAt: z.iso.datetime({ offset: true }),
    reason: z.string().optional(),
  }),
});

export const alarmEventSchema = eventBridgeEnvelope.extend({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().optional() }),
  }),
});

/**
 * Parses an event against a schema, naming every wrong field.
 * @example parseEvent(deploymentEventSchema, event, 'ECS deployment event')
 */
export function parseEvent<Schema extends z.ZodType>(schema: Schema, event: unknown, description: string): z.output<Schema> {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidInputError(`Invalid ${description}: ${formatIssues('event', result.error.issues)}`, { cause: result.error });
  return result.data;
}

/** Cluster and service names from an ECS service ARN the schema already checked. */
export function serviceOfArn(arn: string): { cluster: string; service: string } {
  const [, cluster = '', service = ''] = serviceArnPattern.exec(arn) ?? [];
  return { cluster, service };
}
