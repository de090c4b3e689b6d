import type { RolloutRecord } from '../../../functions/shared/ports/registry';

/** A rollout record as prepareRollout writes it for the color app, ready to override. */
export function rolloutRecord(overrides: Partial<RolloutRecord> = {}): RolloutRecord {
  const original = [{ virtualNode: 'colorteller-v1', weight: 100 }];
  return {
    rolloutId: 'default-colorteller-green-1111',
    executionArn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-green-1111',
    phase: 'PREPARING',
    mesh: 'colorapp',
    virtualRouter: 'colorteller-vr',
    routes: ['colorteller-route'],
    cluster: 'default',
    service: 'colorteller-green',
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-green:7',
    deploymentId: 'ecs-svc/1111',
    startedAt: '2026-11-20T12:00:00.000Z',
    canaryNode: 'colorteller-v2',
    canaryNodeCreated: false,
    stableNode: 'colorteller-v1',
    alarms: ['colorteller-5xx'],
    originalTargets: { 'colorteller-route': original },
    lastWrittenTargets: { 'colorteller-route': original },
    stepIndex: -1,
    canaryWeight: 0,
    rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    updatedAt: '2026-11-20T12:00:00.000Z',
    ...overrides,
  };
}
