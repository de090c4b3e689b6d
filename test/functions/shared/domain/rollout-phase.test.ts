import { isActivePhase, mayShiftTraffic, type RolloutPhase, rolloutPhases } from '../../../../functions/shared/domain/rollout-phase';

describe('rollout phases', () => {
  it.each<[RolloutPhase, boolean, boolean]>([
    [rolloutPhases.preparing, true, true],
    [rolloutPhases.waitingForCanary, true, true],
    [rolloutPhases.shifting, true, true],
    [rolloutPhases.rollingBack, true, false],
    [rolloutPhases.promoted, false, false],
    [rolloutPhases.rolledBack, false, false],
    [rolloutPhases.abandoned, false, false],
  ])('%s: owns its routes %s, may move traffic %s', (phase, active, mayShift) => {
    // Act
    const owns = isActivePhase(phase);
    const shifts = mayShiftTraffic(phase);

    // Assess
    expect(owns).toBe(active);
    expect(shifts).toBe(mayShift);
  });

  it('lets no phase move traffic once it has stopped owning its routes', () => {
    // Prepare
    const phases = Object.values(rolloutPhases);

    // Act
    const shiftingButEnded = phases.filter((phase) => mayShiftTraffic(phase) && !isActivePhase(phase));

    // Assess
    expect(shiftingButEnded).toEqual([]);
  });
});
