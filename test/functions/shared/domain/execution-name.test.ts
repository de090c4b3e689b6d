import fc from 'fast-check';
import { executionNameForDeployment, executionNameForManualRollout } from '../../../../functions/shared/domain/execution-name';

const allowedName = /^[A-Za-z0-9_-]{1,80}$/;
const deploymentIds = fc.bigInt({ min: 0n, max: 10n ** 19n }).map((id) => `ecs-svc/${id}`);

describe('executionNameForDeployment', () => {
  it('reads cluster, service and deployment number', () => {
    // Act
    const name = executionNameForDeployment('default', 'colorteller', 'ecs-svc/0123456789012345678');

    // Assess
    expect(name).toBe('default-colorteller-0123456789012345678');
  });

  it('gives the same name for the same deployment, so a duplicate event starts nothing new', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), deploymentIds, (cluster, service, deploymentId) => {
        // Act
        const first = executionNameForDeployment(cluster, service, deploymentId);
        const second = executionNameForDeployment(cluster, service, deploymentId);

        // Assess
        expect(second).toBe(first);
      }),
    );
  });

  it('always fits Step Functions: at most 80 characters of [A-Za-z0-9_-], even for very long or odd inputs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ maxLength: 600 }), (cluster, service, deploymentId) => {
        // Act
        const name = executionNameForDeployment(cluster, service, deploymentId);

        // Assess
        expect(name).toMatch(allowedName);
      }),
    );
  });

  it('gives different deployments of one service different names, also when the name must be cut', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/), deploymentIds, deploymentIds, (cluster, service, left, right) => {
        // Prepare
        fc.pre(left !== right);

        // Act
        const leftName = executionNameForDeployment(cluster, service, left);
        const rightName = executionNameForDeployment(cluster, service, right);

        // Assess
        expect(leftName).not.toBe(rightName);
      }),
    );
  });

  it('keeps long names apart when they differ only past the cut', () => {
    // Prepare
    const cluster = 'c'.repeat(100);

    // Act
    const left = executionNameForDeployment(cluster, 'colorteller', 'ecs-svc/1');
    const right = executionNameForDeployment(cluster, 'colorteller', 'ecs-svc/2');

    // Assess
    expect(left).toHaveLength(80);
    expect(right).toHaveLength(80);
    expect(left).not.toBe(right);
  });
});

describe('executionNameForManualRollout', () => {
  it('starts with manual- and the service', () => {
    // Act
    const name = executionNameForManualRollout('colorteller', '2026-11-22T10-00-00');

    // Assess
    expect(name).toBe('manual-colorteller-2026-11-22T10-00-00');
  });

  it('replaces characters Step Functions refuses', () => {
    // Act
    const name = executionNameForManualRollout('colorteller', '2026-11-22T10:00:00.000Z');

    // Assess
    expect(name).toMatch(allowedName);
    expect(name).toContain('2026-11-22T10-00-00-000Z');
  });

  it('fits, and stays deterministic and distinct per request, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), (service, left, right) => {
        // Prepare
        fc.pre(left.replace(/[^A-Za-z0-9_-]/g, '-') !== right.replace(/[^A-Za-z0-9_-]/g, '-'));

        // Act
        const leftName = executionNameForManualRollout(service, left);

        // Assess
        expect(leftName).toMatch(allowedName);
        expect(executionNameForManualRollout(service, left)).toBe(leftName);
        expect(executionNameForManualRollout(service, right)).not.toBe(leftName);
      }),
    );
  });
});
