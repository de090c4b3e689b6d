import { AlarmBreachedError, ResourceMissingError, RolloutAbortedError, RouteEditedError } from '../../../../functions/shared/domain/errors';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { pauseOrder } from '../../../../functions/shared/domain/health-decision';
import type { Rollout } from '../../../../functions/shared/domain/rollout';
import { PauseRanOutError } from '../../../../functions/shared/domain/errors';
import { checkHealth } from '../../../../functions/shared/use-cases/check-health';
import { canaryNode, colorAppPorts, colorAppRecord, colorAppRollout, route, routeRef, stableNode } from './color-app';

function baking(overrides: Partial<RolloutRecord> = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'SHIFTING', ...overrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  return ports;
}

describe('checkHealth', () => {
  it('advances to the next step when every alarm is OK', async () => {
    // Prepare
    const ports = baking();

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 0 }), ports);

    // Assess
    expect(next).toEqual(colorAppRollout({ stepIndex: 1, verdict: 'advance', failedChecks: 0 }));
  });

  it('promotes after the last step', async () => {
    // Prepare
    const ports = baking();

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 2 }), ports);

    // Assess
    expect(next).toEqual(expect.objectContaining({ verdict: 'promote', stepIndex: 2 }));
  });

  it('passes an alarm with INSUFFICIENT_DATA', async () => {
    // Prepare
    const ports = baking();
    ports.health.states['colorteller-5xx'] = 'INSUFFICIENT_DATA';

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 0 }), ports);

    // Assess
    expect(next.verdict).toBe('advance');
  });

  it('holds the step and counts the failure while within the tolerance', async () => {
    // Prepare
    const ports = baking();
    ports.health.states['colorteller-5xx'] = 'ALARM';

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 1, toleratedFailedChecks: 1 }), ports);

    // Assess
    expect(next).toEqual(expect.objectContaining({ verdict: 'hold', stepIndex: 1, failedChecks: 1 }));
  });

  it('throws AlarmBreachedError naming the alarm and the weight when beyond the tolerance', async () => {
    // Prepare
    const ports = baking();
    ports.health.states['colorteller-5xx'] = 'ALARM';

    // Act
    const check = checkHealth(colorAppRollout({ stepIndex: 1, toleratedFailedChecks: 1, failedChecks: 1 }), ports);

    // Assess
    await expect(check).rejects.toThrow(AlarmBreachedError);
    await expect(check).rejects.toThrow(/at 50 % failed: .*colorteller-5xx/);
  });

  it('throws RolloutAbortedError when an operator aborted', async () => {
    // Prepare
    const ports = baking({ operatorRequest: 'abort' });

    // Act
    const check = checkHealth(colorAppRollout(), ports);

    // Assess
    await expect(check).rejects.toThrow(RolloutAbortedError);
  });

  it.each([
    ['promote-full', 'promote', 0],
    ['promote', 'advance', 1],
  ] as const)("on an operator's %s goes to %s, and notes the request handled by this check", async (operatorRequest, verdict, stepIndex) => {
    // Prepare
    const ports = baking({ operatorRequest, operatorRequestId: 'request-1' });

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 0, verdict: 'advance' }), ports);

    // Assess
    expect(next).toEqual(expect.objectContaining({ verdict, stepIndex }));
    expect(await ports.registry.getRollout(next.rolloutId)).toEqual(expect.objectContaining({ handledOperatorRequestId: 'request-1', handledAtCheck: '0/advance/0' }));
  });

  it('acts on a request once: the next check goes on as if none was made, a retry of the same check acts the same', async () => {
    // Prepare
    const ports = baking({ operatorRequest: 'pause', operatorRequestId: 'request-1' });
    const rollout = colorAppRollout({ stepIndex: 0, verdict: 'advance' });
    const first = await checkHealth(rollout, ports);

    // Act
    const retried = await checkHealth(rollout, ports);
    const later = await checkHealth(colorAppRollout({ stepIndex: 1, verdict: 'advance' }), ports);

    // Assess
    expect(first.verdict).toBe('pause');
    expect(retried).toEqual(first);
    expect(later.verdict).toBe('advance');
  });

  it("parks where the policy pauses, with the pause's order for the state machine", async () => {
    // Prepare
    const ports = baking();

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 1, pauses: [{ afterStep: 1, seconds: 600, then: 'roll-back' }] }), ports);

    // Assess
    expect(next).toEqual(expect.objectContaining({ verdict: 'pause', stepIndex: 1, pause: { by: 'policy', seconds: 600, then: 'roll-back', timeoutSeconds: 600 } }));
  });

  describe('when a pause ends', () => {
    const paused = (overrides: Partial<Rollout> = {}) =>
      colorAppRollout({ stepIndex: 1, verdict: 'pause', pause: pauseOrder('policy', { seconds: 600, then: 'roll-back' }), pauses: [{ afterStep: 1, seconds: 600, then: 'roll-back' }], ...overrides });

    it('goes on to the next step when a person resumed, and clears the pause from the registry', async () => {
      // Prepare
      const ports = baking({ operatorRequest: 'resume', operatorRequestId: 'request-2', pause: { taskToken: 'token-1', since: '2026-11-20T12:00:00.000Z' } });
      // The alarms are not judged again: one that fired during the pause rolled the rollout back then.
      ports.health.states['colorteller-5xx'] = 'ALARM';

      // Act
      const next = await checkHealth(paused(), ports);

      // Assess
      expect(next).toEqual(colorAppRollout({ stepIndex: 2, verdict: 'advance', bakeWaitSeconds: next.bakeSeconds, pauses: paused().pauses }));
      expect(await ports.registry.getRollout(next.rolloutId)).toEqual(expect.objectContaining({ pause: null, handledOperatorRequestId: 'request-2' }));
    });

    it('throws PauseRanOutError when its seconds ran out and the policy says roll back', async () => {
      // Prepare
      const ports = baking();

      // Act
      const check = checkHealth(paused({ pauseTimedOut: { Error: 'States.Timeout', Cause: '' } }), ports);

      // Assess
      await expect(check).rejects.toThrow(PauseRanOutError);
      await expect(check).rejects.toThrow('Pause at 50 % ended: nobody ended the pause within 600 s, and the policy says roll back');
    });

    it('throws RolloutAbortedError when the pause ended with an abort', async () => {
      // Prepare
      const ports = baking({ operatorRequest: 'abort', operatorRequestId: 'request-3' });

      // Act
      const check = checkHealth(paused(), ports);

      // Assess
      await expect(check).rejects.toThrow(RolloutAbortedError);
    });
  });

  it.each(['ROLLING_BACK', 'ROLLED_BACK'] as const)('stops a rollout that is %s, whatever the alarms say', async (phase) => {
    // Prepare
    const ports = baking({ phase });

    // Act
    const check = checkHealth(colorAppRollout(), ports);

    // Assess
    await expect(check).rejects.toThrow(AlarmBreachedError);
    await expect(check).rejects.toThrow(phase);
  });

  it('fails when a watched alarm was deleted, since a missing alarm is not a pass', async () => {
    // Prepare
    const ports = baking();

    // Act
    const check = checkHealth(colorAppRollout({ alarms: ['colorteller-5xx', 'deleted-alarm'] }), ports);

    // Assess
    await expect(check).rejects.toThrow(ResourceMissingError);
  });

  it('bakes a held step again without the provider\'s settle time: the step was shifted already', async () => {
    // Prepare
    const ports = baking();
    ports.health.states['colorteller-5xx'] = 'ALARM';

    // Act
    const next = await checkHealth(colorAppRollout({ stepIndex: 1, toleratedFailedChecks: 1, settleSeconds: 90, bakeSeconds: 60, bakeWaitSeconds: 150 }), ports);

    // Assess
    expect(next).toEqual(expect.objectContaining({ verdict: 'hold', bakeWaitSeconds: 60 }));
  });

  describe('where the provider applies weights late (a settle time)', () => {
    const written = [
      { virtualNode: stableNode, weight: 90, port: 9080 },
      { virtualNode: canaryNode, weight: 10, port: 9080 },
    ];

    it('reads every route back and judges the canary when the weights are the ones written', async () => {
      // Prepare
      const ports = baking({ lastWrittenTargets: { [route]: written } });
      ports.router.editTargets(routeRef, written);

      // Act
      const next = await checkHealth(colorAppRollout({ stepIndex: 0, settleSeconds: 90 }), ports);

      // Assess
      expect(next.verdict).toBe('advance');
    });

    it('lets go (RouteEditedError) when someone changed the weights during the settle, naming both', async () => {
      // Prepare
      const ports = baking({ lastWrittenTargets: { [route]: written } });
      ports.router.editTargets(routeRef, [{ virtualNode: stableNode, weight: 100, port: 9080 }]);

      // Act
      const check = checkHealth(colorAppRollout({ stepIndex: 0, settleSeconds: 90 }), ports);

      // Assess
      await expect(check).rejects.toThrow(RouteEditedError);
      await expect(check).rejects.toThrow(`Route ${route} holds ${stableNode}=100, not the ${stableNode}=90, ${canaryNode}=10 meshshift wrote`);
      expect(ports.router.writes).toEqual([]);
    });

    it('does not read routes on a provider that applies weights at once (App Mesh)', async () => {
      // Prepare
      const ports = baking({ lastWrittenTargets: { [route]: written } });
      ports.router.editTargets(routeRef, [{ virtualNode: stableNode, weight: 100, port: 9080 }]);

      // Act
      const next = await checkHealth(colorAppRollout({ stepIndex: 0, settleSeconds: 0 }), ports);

      // Assess
      expect(next.verdict).toBe('advance');
    });
  });
});
