import type { ScenarioReport } from '../../local/scenarios';
import { formatSummary, formatTimelineEntry, timelineSvg, weightBar } from '../../local/timeline-format';

function report(overrides: Partial<ScenarioReport> = {}): ScenarioReport {
  return {
    scenario: 'bad-canary',
    description: 'A bad canary.',
    expected: 'rolled back',
    outcome: 'rolled back',
    executionStatus: 'ABORTED',
    error: 'AlarmBreachedError',
    cause: 'Rolled back: alarm colorteller-5xx went into ALARM',
    simulatedSeconds: 50,
    realMilliseconds: 512,
    requests: { served: 5000, failed: 30, failedOnCanary: 20 },
    stateTransitions: 6,
    retries: 0,
    awsCalls: { total: 5, byOperation: { DescribeRoute: 3, UpdateRoute: 2 } },
    finalRoute: [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }],
    timeline: [{ at: 40, kind: 'alarm', message: 'alarm colorteller-5xx → ALARM' }],
    series: [
      { at: 1, canaryWeight: 0, requests: 100, errors: 0 },
      { at: 2, canaryWeight: 10, requests: 100, errors: 2 },
      { at: 3, canaryWeight: 0, requests: 100, errors: 0 },
    ],
    ...overrides,
  };
}

describe('timeline formatting', () => {
  it('draws the canary share as a 20-cell bar', () => {
    // Assess
    expect(weightBar(25)).toBe('█████░░░░░░░░░░░░░░░  25 %');
    expect(weightBar(100)).toBe('████████████████████ 100 %');
  });

  it('prints one aligned line per entry, with the bar for weight changes', () => {
    // Act
    const line = formatTimelineEntry({ at: 90, kind: 'weights', message: 'users now see colorteller-v2 at 50 %', canaryWeight: 50 });

    // Assess
    expect(line).toBe('[   90s] ROUTE    ██████████░░░░░░░░░░  50 %  users now see colorteller-v2 at 50 %');
  });

  it('summarises the outcome, failures and AWS calls, and flags a run that ended unexpectedly', () => {
    // Act
    const expected = formatSummary(report());
    const unexpected = formatSummary(report({ outcome: 'promoted' }));

    // Assess
    expect(expected).toContain('rolled back (as expected); execution ABORTED with AlarmBreachedError');
    expect(expected).toContain('5000 served, 30 failed (20 on the canary)');
    expect(expected).toContain('AWS calls          5: DescribeRoute 3, UpdateRoute 2');
    expect(unexpected).toContain('EXPECTED rolled back');
  });

  it('pictures the run as an SVG with the weight area, error bars and alarm markers', () => {
    // Act
    const svg = timelineSvg(report());

    // Assess
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<polyline');
    expect(svg.match(/fill="#d33"\/>/g)).toHaveLength(1);
    expect(svg).toContain('>ALARM</text>');
    expect(svg).toContain('meshshift bad-canary: rolled back after 50 s, 30 failed requests');
  });
});
