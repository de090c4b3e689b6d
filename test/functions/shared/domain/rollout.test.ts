import { InvalidInputError } from '../../../../functions/shared/domain/errors';
import { parseStartRequest } from '../../../../functions/shared/domain/rollout';

function parseError(input: unknown): InvalidInputError {
  try {
    parseStartRequest(input);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('parseStartRequest accepted the input');
}

describe('parseStartRequest', () => {
  it.each([
    ['a deployment event', { cluster: 'default', service: 'colorteller', deploymentId: 'ecs-svc/0123456789012345678', deploymentStartedAt: '2026-11-20T12:36:41Z' }],
    ['a manual rollout of a task definition', { cluster: 'default', service: 'colorteller', taskDefinition: 'colorteller-green:7' }],
    ['an inline policy', { cluster: 'default', service: 'colorteller', policy: { version: 1 } }],
    ['a start time with an offset', { cluster: 'default', service: 'colorteller', deploymentStartedAt: '2026-11-20T14:36:41+02:00' }],
    ['only cluster and service', { cluster: 'default', service: 'colorteller' }],
  ])('accepts %s as given', (_case, input) => {
    // Act
    const request = parseStartRequest(input);

    // Assess
    expect(request).toEqual(input);
  });

  it.each<[string, unknown, string]>([
    ['a missing cluster', { service: 'colorteller' }, 'input.cluster'],
    ['an empty service', { cluster: 'default', service: '' }, 'input.service'],
    ['a deployment id that is not ecs-svc/<digits>', { cluster: 'default', service: 'colorteller', deploymentId: 'deploy-1' }, 'input.deploymentId: must look like ecs-svc/<digits>'],
    ['both taskDefinition and deploymentId', { cluster: 'default', service: 'colorteller', taskDefinition: 'td:1', deploymentId: 'ecs-svc/1' }, 'input.taskDefinition: give either'],
    ['an unknown field', { cluster: 'default', service: 'colorteller', servce: 'typo' }, '"servce"'],
    ['a start time that is not a date', { cluster: 'default', service: 'colorteller', deploymentStartedAt: 'yesterday' }, 'input.deploymentStartedAt'],
  ])('rejects %s, naming %s', (_case, input, field) => {
    // Act
    const error = parseError(input);

    // Assess
    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
  });

  it('rejects something that is not an object', () => {
    // Act
    const error = parseError('colorteller');

    // Assess
    expect(error.message).toMatch(/^Invalid rollout input: input/);
  });
});
