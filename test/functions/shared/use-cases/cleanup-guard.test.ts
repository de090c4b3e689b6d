import { CleanupGuard } from '../../../../functions/shared/use-cases/cleanup-guard';
import { canaryNode, colorAppPorts, colorAppRecord, routeRef, stableNode, stableService } from './color-app';

/** The color app after promotion, with the route giving the stable node `stableWeight` beside the canary's 100. */
function promotedWithStableAt(stableWeight: number) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'PROMOTED' });
  ports.router.editTargets(routeRef, [
    { virtualNode: stableNode, weight: stableWeight, port: 9080 },
    { virtualNode: canaryNode, weight: 100, port: 9080 },
  ]);
  return new CleanupGuard(record, ports);
}

describe('CleanupGuard', () => {
  it('lets a node go that a route names at weight 0: it serves nothing', async () => {
    // Act
    const inUse = await promotedWithStableAt(0).nodeInUse(stableNode);

    // Assess
    expect(inUse).toBeUndefined();
  });

  it('keeps a node a route sends any weight to, however little (I8)', async () => {
    // Act
    const inUse = await promotedWithStableAt(1).nodeInUse(stableNode);

    // Assess
    expect(inUse).toBe(`route colorteller-route still sends node ${stableNode} weight 1`);
  });

  it('lets the service behind a weight-0 target scale down', async () => {
    // Act
    const inUse = await promotedWithStableAt(0).serviceInUse(stableService, { nothingNewerThan: colorAppRecord().startedAt });

    // Assess
    expect(inUse).toBeUndefined();
  });

  it('keeps the service behind a target that still gets weight (I8)', async () => {
    // Act
    const inUse = await promotedWithStableAt(5).serviceInUse(stableService, { nothingNewerThan: colorAppRecord().startedAt });

    // Assess
    expect(inUse).toBe(`route colorteller-route still sends weight 5 to node ${stableNode}, which selects ${stableService}`);
  });
});
