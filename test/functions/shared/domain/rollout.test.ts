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
    ['a deployment event', { cluster: 'default', service: 'colorteller', deploymentId: 'ecs-svc/0123456789012345678' }],
    ['a manual rollout of a task definition', { cluster: 'default', service: 'colorteller', taskDefinition: 'colorteller-green:7' }],
    ['an inline policy', { cluster: 'default', service: 'colorteller', policy: { version: 1 } }],
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
    // When a deployment began decides which rollout wins a route: ECS says it, a caller cannot (I9).
    ['a start time given by the caller', { cluster: 'default', service: 'colorteller', deploymentStartedAt: '2099-01-01T00:00:00Z' }, '"deploymentStartedAt"'],
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
