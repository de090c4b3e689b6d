import { PolicyInvalidError } from '../../../../functions/shared/domain/errors';
import { parsePolicy } from '../../../../functions/shared/domain/policy';
import { latticePolicyDocument } from '../../../support/lattice-policy';

const minimal = {
  version: 1,
  mesh: 'colorapp',
  virtualRouter: 'colorteller-vr',
  routes: ['colorteller-route'],
  schedule: { type: 'steps', steps: [10, 50, 100] },
};

function parseError(document: unknown, source?: string): PolicyInvalidError {
  try {
    parsePolicy(document, source);
  } catch (error) {
    if (error instanceof PolicyInvalidError) return error;
    throw error;
  }
  throw new Error('parsePolicy accepted the document');
}

describe('parsePolicy', () => {
  it('fills every default of a minimal policy', () => {
    // Act
    const policy = parsePolicy(minimal);

    // Assess
    expect(policy).toEqual({
      ...minimal,
      bakeSeconds: 60,
      alarms: [],
      toleratedFailedChecks: 0,
      promotion: { deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 30 },
      rollback: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    });
  });

  it('fills the defaults inside a partial promotion and rollback', () => {
    // Act
    const policy = parsePolicy({ ...minimal, promotion: { drainSeconds: 5 }, rollback: { deleteCanaryNode: false } });

    // Assess
    expect(policy.promotion).toEqual({ deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 5 });
    expect(policy.rollback).toEqual({ deleteCanaryNode: false, scaleCanaryServiceToZero: true });
  });

  it('reads JSON text as the SSM parameter holds it', () => {
    // Prepare
    const text = JSON.stringify({ ...minimal, meshOwner: '111122223333', alarms: ['5xx'], schedule: { type: 'preset', name: 'AllAtOnce' } });

    // Act
    const policy = parsePolicy(text);

    // Assess
    expect(policy).toEqual(expect.objectContaining({ meshOwner: '111122223333', alarms: ['5xx'], schedule: { type: 'preset', name: 'AllAtOnce' } }));
  });

  it.each<[string, unknown, string]>([
    ['a version other than 1', { ...minimal, version: 2 }, 'policy.version'],
    ['a mesh name with forbidden characters', { ...minimal, mesh: 'color app!' }, 'policy.mesh'],
    ['a virtual router name with forbidden characters', { ...minimal, virtualRouter: 'vr/1' }, 'policy.virtualRouter'],
    ['no routes', { ...minimal, routes: [] }, 'policy.routes'],
    ['a route named twice', { ...minimal, routes: ['a', 'a'] }, 'policy.routes'],
    ['a bad route name', { ...minimal, routes: ['ok', 'not ok'] }, 'policy.routes[1]'],
    ['steps that do not increase', { ...minimal, schedule: { type: 'steps', steps: [50, 20, 100] } }, 'policy.schedule.steps'],
    ['steps that do not end at 100', { ...minimal, schedule: { type: 'steps', steps: [10, 50] } }, 'policy.schedule.steps'],
    ['a fractional step', { ...minimal, schedule: { type: 'steps', steps: [10.5, 100] } }, 'policy.schedule.steps[0]'],
    ['a step above 100', { ...minimal, schedule: { type: 'steps', steps: [10, 150] } }, 'policy.schedule.steps[1]'],
    ['an unknown preset', { ...minimal, schedule: { type: 'preset', name: 'Canary50Percent' } }, 'policy.schedule.name'],
    ['an unknown schedule type', { ...minimal, schedule: { type: 'exponential' } }, 'policy.schedule.type'],
    ['a linear step of 0', { ...minimal, schedule: { type: 'linear', stepPercent: 0, everySeconds: 60 } }, 'policy.schedule.stepPercent'],
    ['an unknown top-level field', { ...minimal, bakeSecond: 30 }, 'policy: Unrecognized key: "bakeSecond"'],
    ['an unknown schedule field', { ...minimal, schedule: { type: 'linear', stepPercent: 10, everySeconds: 60, every: 1 } }, 'policy.schedule'],
    ['an unknown rollback field', { ...minimal, rollback: { deleteCanary: true } }, 'policy.rollback'],
    ['a negative bakeSeconds', { ...minimal, bakeSeconds: -1 }, 'policy.bakeSeconds'],
    ['a meshOwner that is not an account id', { ...minimal, meshOwner: '1234' }, 'policy.meshOwner'],
    ['an alarm named twice', { ...minimal, alarms: ['5xx', '5xx'] }, 'policy.alarms'],
    ['too many tolerated failed checks', { ...minimal, toleratedFailedChecks: 11 }, 'policy.toleratedFailedChecks'],
    ['a negative drain', { ...minimal, promotion: { drainSeconds: -5 } }, 'policy.promotion.drainSeconds'],
  ])('rejects %s, naming %s', (_mistake, document, fieldPath) => {
    // Act
    const error = parseError(document);

    // Assess
    expect(error.name).toBe('PolicyInvalidError');
    expect(error.message).toContain(fieldPath);
  });

  it('rejects a schedule that cannot finish well inside the state machine timeout, naming policy.schedule', () => {
    // Prepare
    // 50 steps baking a day each run far past the execution's 10-day timeout.
    const steps = Array.from({ length: 50 }, (_, index) => index * 2 + 2);

    // Act
    const error = parseError({ ...minimal, schedule: { type: 'steps', steps }, bakeSeconds: 86_400 });

    // Assess
    expect(error.message).toContain('policy.schedule');
  });

  it('names every wrong field at once', () => {
    // Act
    const error = parseError({ ...minimal, version: 3, bakeSeconds: -1 });

    // Assess
    expect(error.message).toContain('policy.version');
    expect(error.message).toContain('policy.bakeSeconds');
  });

  it('names the source it was given, so the message points at the parameter', () => {
    // Act
    const error = parseError({ ...minimal, mesh: '' }, 'policy /meshshift/colorteller');

    // Assess
    expect(error.message).toContain('policy /meshshift/colorteller.mesh');
  });

  it('rejects text that is not JSON and carries the parse error as cause', () => {
    // Act
    const error = parseError('{"version": 1,');

    // Assess
    expect(error.message).toMatch(/^policy is not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects a document that is not an object', () => {
    // Act
    const error = parseError(42);

    // Assess
    expect(error.message).toContain('policy');
  });
});

describe('parsePolicy on VPC Lattice', () => {
  const lattice = latticePolicyDocument;

  it('fills the Lattice variant\'s defaults, which never delete a target group', () => {
    // Act
    const policy = parsePolicy(lattice);

    // Assess
    expect(policy).toEqual({
      ...lattice,
      bakeSeconds: 60,
      alarms: [],
      toleratedFailedChecks: 0,
      promotion: { scaleStableServiceToZero: true, drainSeconds: 30, stableTargetGroups: 'remove' },
      rollback: { scaleCanaryServiceToZero: true },
    });
  });

  it('accepts a listener\'s default action and a service shared by ARN', () => {
    // Act
    const policy = parsePolicy({ ...lattice, service: 'arn:aws:vpc-lattice:us-west-2:444455556666:service/svc-0123456789abcdef0', routes: ['listener-0123456789abcdef0/default'] });

    // Assess
    expect(policy.routes).toEqual(['listener-0123456789abcdef0/default']);
  });

  it('keeps a policy without a provider an App Mesh one', () => {
    // Act
    const policy = parsePolicy(minimal);

    // Assess
    expect(policy.provider).toBeUndefined();
    expect(policy).toEqual(expect.objectContaining({ mesh: 'colorapp', virtualRouter: 'colorteller-vr' }));
  });

  it.each<[string, unknown, string]>([
    ['an unknown provider', { ...lattice, provider: 'istio' }, 'policy.provider: must be one of appmesh, lattice, not "istio"'],
    ['a service that is not a Lattice id', { ...lattice, service: 'colorteller' }, 'policy.service: must be a Lattice service id'],
    ['a route without its listener', { ...lattice, routes: ['rule-0123456789abcdef0'] }, 'policy.routes[0]: must be "<listener id>/<rule id>"'],
    ['a route named twice', { ...lattice, routes: [lattice.routes[0], lattice.routes[0]] }, 'policy.routes: must not name a route twice'],
    ['no stable service', { ...lattice, stableService: undefined }, 'policy.stableService'],
    ['an App Mesh field', { ...lattice, mesh: 'colorapp' }, 'policy: Unrecognized key: "mesh"'],
    ['a cleanup option that would delete a target group', { ...lattice, rollback: { deleteCanaryNode: true } }, 'policy.rollback'],
  ])('rejects %s, naming what is wrong', (_mistake, document, message) => {
    // Act
    const error = parseError(document);

    // Assess
    expect(error.message).toContain(message);
  });
});
