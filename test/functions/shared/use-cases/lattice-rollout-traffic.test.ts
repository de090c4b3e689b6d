import { InvalidInputError, RouteNotOwnedError } from '../../../../functions/shared/domain/errors';
import type { StartRequest } from '../../../../functions/shared/domain/rollout';
import type { RouteRef } from '../../../../functions/shared/ports/traffic-router';
import { retireStable } from '../../../../functions/shared/use-cases/finish-rollout';
import { targetGroupId } from '../../../../functions/shared/use-cases/lattice-rollout-traffic';
import { prepareRollout } from '../../../../functions/shared/use-cases/prepare-rollout';
import { promoteCanary } from '../../../../functions/shared/use-cases/shift-traffic';
import { latticePolicyDocument } from '../../../support/lattice-policy';
import { canaryService, colorAppPorts, policyParameter, routeSpec, stableService } from './color-app';

// The color app on VPC Lattice: colorteller-blue's target group serves the rule, and
// colorteller-green registers into its own; meshshift shifts the rule's weights between them.

const latticeService = latticePolicyDocument.service;
const [rule = ''] = latticePolicyDocument.routes;
const blueGroup = 'tg-0000000000000blue';
const greenGroup = 'tg-000000000000green';
const arnOf = (group: string) => `arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/${group}`;
const latticeRoute: RouteRef = { provider: 'lattice', mesh: '', virtualRouter: latticeService, route: rule };
const settings = { meshName: 'colorapp', meshOwner: '111122223333', cluster: 'default', policyParameterPrefix: '/meshshift/', now: '2026-11-20T12:37:00.000Z' };
const execution = {
  name: 'default-colorteller-green-2222',
  arn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-green-2222',
  startTime: '2026-11-20T12:36:50.000Z',
};
const request: StartRequest = { cluster: 'default', service: canaryService, deploymentId: 'ecs-svc/2222' };
const latticePolicy = { ...latticePolicyDocument, alarms: ['colorteller-5xx'] };

function latticeColorApp(overrides: { green?: object; blue?: object; ruleTargets?: Array<{ virtualNode: string; weight: number }> } = {}) {
  const ports = colorAppPorts();
  const green = ports.deployer.services.get(canaryService);
  const blue = ports.deployer.services.get(stableService);
  if (!green || !blue) throw new Error('the color app has both services');
  ports.deployer.services.set(canaryService, { ...green, latticeTargetGroups: [arnOf(greenGroup)], ...overrides.green });
  ports.deployer.services.set(stableService, { ...blue, latticeTargetGroups: [arnOf(blueGroup)], ...overrides.blue });
  ports.policies.parameters.set(policyParameter, JSON.stringify(latticePolicy));
  ports.router.setRoute(latticeRoute, routeSpec((overrides.ruleTargets ?? [{ virtualNode: blueGroup, weight: 100 }]) as never));
  ports.router.nodes.set(blueGroup, {} as never);
  ports.router.nodes.set(greenGroup, {} as never);
  return ports;
}

describe('prepareRollout on VPC Lattice', () => {
  it('rolls out to the deploying service\'s target group, keyed and recorded as a Lattice rollout', async () => {
    // Prepare
    const ports = latticeColorApp();

    // Act
    const rollout = await prepareRollout(request, execution, settings, ports);

    // Assess
    expect(rollout).toEqual(expect.objectContaining({ provider: 'lattice', virtualRouter: latticeService, routes: [rule], canaryNode: greenGroup, stableNode: blueGroup }));
    expect(rollout.promotion).toEqual({ deleteStableNode: false, scaleStableServiceToZero: true, drainSeconds: 30, stableTargetGroups: 'remove' });
    expect(rollout.rollback).toEqual({ deleteCanaryNode: false, scaleCanaryServiceToZero: true });
    expect([...ports.registry.leases.keys()]).toEqual([`lattice:${latticeService}/${rule}`]);
    expect((await ports.registry.getRollout(execution.name))?.originalTargets).toEqual({ [rule]: [{ virtualNode: blueGroup, weight: 100 }] });
    expect(ports.router.writes).toEqual([]);
  });

  it('promotes by scaling the stable service down, which ECS named at Prepare, and never deletes a target group', async () => {
    // Prepare
    const ports = latticeColorApp();
    const rollout = await prepareRollout(request, execution, settings, ports);
    await ports.registry.updateRollout(rollout.rolloutId, { phase: 'SHIFTING' });
    ports.router.editTargets(latticeRoute, [{ virtualNode: greenGroup, weight: 100 }] as never);

    // Act
    const report = await retireStable(rollout, ports);

    // Assess
    expect((await ports.registry.getRollout(rollout.rolloutId))?.backendServices).toEqual({ [blueGroup]: stableService, [greenGroup]: canaryService });
    expect(report).toEqual({ deletedNodes: [], keptNodes: [blueGroup], scaledDownServices: [stableService], keptInUse: [] });
    expect(ports.deployer.writes).toEqual([`scaleToZero ${stableService}`]);
    expect(ports.router.nodes.has(blueGroup)).toBe(true);
  });

  it.each([
    ['keeps the stable target group at weight 0 as the policy asks', { stableTargetGroups: 'keep-at-zero' }, [{ virtualNode: blueGroup, weight: 0 }, { virtualNode: greenGroup, weight: 100 }]],
    ['removes the stable target group by default', {}, [{ virtualNode: greenGroup, weight: 100 }]],
  ])('promotion %s, and Retire stable still scales the stable service down: the rule sends it nothing', async (_what, promotion, promoted) => {
    // Prepare
    const ports = latticeColorApp();
    ports.policies.parameters.set(policyParameter, JSON.stringify({ ...latticePolicy, promotion }));
    const rollout = await prepareRollout(request, execution, settings, ports);

    // Act
    await promoteCanary(rollout, ports);
    const report = await retireStable(rollout, ports);

    // Assess
    expect(ports.router.targets(latticeRoute)).toEqual(promoted);
    expect(report.scaledDownServices).toEqual([stableService]);
    expect(report.keptInUse).toEqual([]);
    expect(ports.router.nodes.has(blueGroup)).toBe(true);
  });

  it.each([['BLUE_GREEN'], ['CANARY'], ['LINEAR'], ['CODE_DEPLOY']])('refuses a service ECS deploys with %s, naming it, before any write', async (strategy) => {
    // Prepare
    const ports = latticeColorApp({ green: { deploymentStrategy: strategy } });

    // Act
    const prepare = prepareRollout(request, execution, settings, ports);

    // Assess
    await expect(prepare).rejects.toThrow(InvalidInputError);
    await expect(prepare).rejects.toThrow(`ECS service ${canaryService} is deployed with ${strategy}`);
    expect(ports.registry.leases.size).toBe(0);
  });

  it('refuses a stable service that ECS deploys with its own strategy', async () => {
    // Prepare
    const ports = latticeColorApp({ blue: { deploymentStrategy: 'BLUE_GREEN' } });

    // Act
    const prepare = prepareRollout(request, execution, settings, ports);

    // Assess
    await expect(prepare).rejects.toThrow(`ECS service ${stableService} is deployed with BLUE_GREEN`);
  });

  it.each([
    ['no target group', []],
    ['two target groups', [arnOf(greenGroup), arnOf('tg-0000000000000more')]],
  ])('refuses a deploying service with %s, listing them', async (_case, groups) => {
    // Prepare
    const ports = latticeColorApp({ green: { latticeTargetGroups: groups } });

    // Act
    const prepare = prepareRollout(request, execution, settings, ports);

    // Assess
    await expect(prepare).rejects.toThrow(`registers into ${groups.length} Lattice target groups`);
    expect(ports.registry.leases.size).toBe(0);
  });

  it('refuses a rule that forwards to a target group neither service registers into (another team\'s)', async () => {
    // Prepare
    const ports = latticeColorApp({ ruleTargets: [{ virtualNode: 'tg-00000000payments', weight: 100 }] });
    ports.router.nodes.set('tg-00000000payments', {} as never);

    // Act
    const prepare = prepareRollout(request, execution, settings, ports);

    // Assess
    await expect(prepare).rejects.toThrow(RouteNotOwnedError);
    await expect(prepare).rejects.toThrow('tg-00000000payments');
    expect(ports.registry.leases.size).toBe(0);
  });

  it('refuses when the stable service has not named the deploying one as its pair', async () => {
    // Prepare
    const ports = latticeColorApp({ blue: { tags: {} } });

    // Act
    const prepare = prepareRollout(request, execution, settings, ports);

    // Assess
    await expect(prepare).rejects.toThrow(RouteNotOwnedError);
  });
});

describe('targetGroupId', () => {
  it('reads the id from an ARN and leaves an id as it is', () => {
    // Act / Assess
    expect(targetGroupId(arnOf(greenGroup))).toBe(greenGroup);
    expect(targetGroupId(greenGroup)).toBe(greenGroup);
  });
});
