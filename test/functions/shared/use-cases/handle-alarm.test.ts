import { abortRollout, rollBackRolloutsWatching } from '../../../../functions/shared/use-cases/handle-alarm';
import { canaryNode, colorAppPorts, colorAppRecord, original, route, routeRef, stableNode } from './color-app';

const shifted = [
  { virtualNode: stableNode, weight: 90, port: 9080 },
  { virtualNode: canaryNode, weight: 10, port: 9080 },
];

function watchedRollouts() {
  const ports = colorAppPorts();
  const active = colorAppRecord({ rolloutId: 'active', phase: 'SHIFTING', lastWrittenTargets: { [route]: shifted } });
  const ended = colorAppRecord({ rolloutId: 'ended', executionArn: 'arn:ended', phase: 'PROMOTED' });
  const unrelated = colorAppRecord({ rolloutId: 'unrelated', executionArn: 'arn:unrelated', phase: 'SHIFTING', alarms: ['cpu'], routes: [] });
  for (const record of [active, ended, unrelated]) ports.registry.rollouts.set(record.rolloutId, record);
  ports.router.editTargets(routeRef, shifted);
  return { ports, active };
}

describe('rollBackRolloutsWatching', () => {
  it('rolls back every active rollout watching the alarm and stops its execution', async () => {
    // Prepare
    const { ports, active } = watchedRollouts();

    // Act
    const reports = await rollBackRolloutsWatching('colorteller-5xx', 'Threshold Crossed', ports);

    // Assess
    expect(reports.map((report) => [report.rolloutId, report.outcome])).toEqual([['active', 'rolled-back']]);
    expect(ports.router.targets(routeRef)).toEqual(original);
    expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [active.executionArn, 'AlarmBreachedError', expect.stringContaining('colorteller-5xx')] }]);
    expect((await ports.registry.getRollout('unrelated'))?.phase).toBe('SHIFTING');
  });

  it('does nothing for an alarm no active rollout watches', async () => {
    // Prepare
    const { ports } = watchedRollouts();

    // Act
    const reports = await rollBackRolloutsWatching('nobody-watches', 'x', ports);

    // Assess
    expect(reports).toEqual([]);
    expect(ports.orchestrator.calls).toEqual([]);
  });
});

describe('abortRollout', () => {
  it('stops the execution with the given error only when it rolled back now', async () => {
    // Prepare
    const { ports, active } = watchedRollouts();
    await abortRollout(active.rolloutId, 'operator', 'RolloutAbortedError', ports);

    // Act
    const second = await abortRollout(active.rolloutId, 'operator again', 'RolloutAbortedError', ports);

    // Assess
    expect(second.outcome).toBe('already-ended');
    expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [active.executionArn, 'RolloutAbortedError', 'Rolled back: operator'] }]);
  });
});

describe('abortRollout after a late shift', () => {
  it('restores the route again when a shift already in flight lands its write after the restore (I7)', async () => {
    // Prepare: the in-flight "Shift traffic" writes 50 % while the execution is being stopped.
    const { ports, active } = watchedRollouts();
    const stop = ports.orchestrator.stop.bind(ports.orchestrator);
    ports.orchestrator.stop = async (...args) => {
      ports.router.editTargets(routeRef, [
        { virtualNode: stableNode, weight: 50, port: 9080 },
        { virtualNode: canaryNode, weight: 50, port: 9080 },
      ]);
      await stop(...args);
    };

    // Act
    const report = await abortRollout(active.rolloutId, 'alarm colorteller-5xx', 'AlarmBreachedError', ports);

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(ports.router.targets(routeRef)).toEqual(original);
  });
});
