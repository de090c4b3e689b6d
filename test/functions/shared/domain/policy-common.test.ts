import { parsePolicy } from '../../../../functions/shared/domain/policy';
import { latticePolicyDocument } from '../../../support/lattice-policy';

const withSteps = (steps: unknown[]) => ({ version: 1, mesh: 'colorapp', virtualRouter: 'colorteller-vr', routes: ['colorteller-route'], schedule: { type: 'steps', steps } });

describe('schedule steps with pauses', () => {
  it('takes a bare pause, a timed one, and a timed one that says what then, on either provider', () => {
    // Prepare
    const steps = [10, { pause: {} }, 50, { pause: { seconds: 600 } }, 75, { pause: { seconds: 60, then: 'roll-back' } }, 100];

    // Act
    const appMesh = parsePolicy(withSteps(steps));
    const lattice = parsePolicy({ ...latticePolicyDocument, schedule: { type: 'steps', steps } });

    // Assess
    expect(appMesh.schedule).toEqual({ type: 'steps', steps });
    expect(lattice.schedule).toEqual({ type: 'steps', steps });
  });

  it.each([
    [[{ pause: {} }, 100], 'policy.schedule.steps[0]: a pause follows a weight: it waits at the weight before it'],
    [[10, { pause: {} }, { pause: { seconds: 60 } }, 100], 'policy.schedule.steps[2]: must not follow another pause'],
    [[10, { pause: { seconds: 0 } }, 100], 'policy.schedule.steps[1].pause.seconds: Too small: expected number to be >=1'],
    [[10, { pause: { seconds: 1.5 } }, 100], 'policy.schedule.steps[1].pause.seconds: must be a whole number'],
    [[10, { pause: { then: 'roll-back' } }, 100], 'policy.schedule.steps[1].pause.then: says what happens when the seconds run out: give seconds too, or leave then out to wait for a person'],
    [[10, { pause: { seconds: 60, then: 'continue' } }, 100], 'policy.schedule.steps[1].pause.then: Invalid option: expected one of "promote"|"roll-back"|"stay"'],
    [[10, { pause: { minutes: 5 } }, 100], 'policy.schedule.steps[1].pause: Unrecognized key: "minutes"'],
    [[10, { wait: {} }, 100], 'policy.schedule.steps[1]: Unrecognized key: "wait"'],
    [[10, 'pause', 100], 'policy.schedule.steps[1]: must be a weight from 1 to 100 or a pause such as { "pause": {} }'],
    [[10, 10.5, 100], 'policy.schedule.steps[1]: must be a whole number'],
    [[50, { pause: {} }, 10, 100], 'policy.schedule.steps: must be strictly increasing'],
    [[10, 50, { pause: {} }], 'policy.schedule.steps: must end at 100'],
  ])('refuses %j, naming the field: %s', (steps, message) => {
    // Act
    const parse = () => parsePolicy(withSteps(steps));

    // Assess
    expect(parse).toThrow(message);
  });
});
