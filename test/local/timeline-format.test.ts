import type { ScenarioReport, TimelineEntry } from '../../local/scenarios';
import { formatSummary, formatTimelineEntry, timelineSvg, weightBar } from '../../local/timeline-format';

const targets = (canaryWeight: number) => [
  { virtualNode: 'colorteller-v1', weight: 100 - canaryWeight, port: 9080 },
  { virtualNode: 'colorteller-v2', weight: canaryWeight, port: 9080 },
];

/** A bad canary in miniature: 10 % written at 30 s, its alarm at 43 s, the route restored at 43.7 s. */
function report(overrides: Partial<ScenarioReport> = {}): ScenarioReport {
  return {
    scenario: 'bad-canary',
    provider: 'appmesh',
    description: 'A bad canary.',
    seed: 1,
    rolloutId: 'default-colorteller-1',
    expected: 'rolled back',
    outcome: 'rolled back',
    executionStatus: 'ABORTED',
    error: 'AlarmBreachedError',
    cause: 'Rolled back: alarm colorteller-5xx went into ALARM',
    simulatedSeconds: 50,
    requests: { served: 5000, failed: 30, failedOnCanary: 20 },
    stateTransitions: 6,
    retries: 0,
    writes: [
      { at: 30.7, by: 'ShiftTrafficFunction', canaryWeight: 10, targets: targets(10) },
      { at: 43.7, by: 'HandleAlarmEventFunction', canaryWeight: 0, targets: targets(0) },
    ],
    verdicts: [],
    awsCalls: { total: 5, byOperation: { DescribeRoute: 3, UpdateRoute: 2 } },
    originalRoute: [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }],
    canaryBackend: 'colorteller-v2',
    backendNames: { 'colorteller-v1': 'colorteller-v1', 'colorteller-v2': 'colorteller-v2' },
    finalRoute: [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }],
    endState: { activeRollouts: 0, heldLeases: 0, runningExecutions: 0 },
    timeline: [
      { at: 0.7, kind: 'state', message: 'state "Prepare rollout"' },
      { at: 1.3, kind: 'state', message: 'state "Ensure canary node"' },
      { at: 30.7, kind: 'write', message: 'ShiftTrafficFunction wrote colorteller-v1 90 / colorteller-v2 10', canaryWeight: 10 },
      { at: 43, kind: 'alarm', message: 'alarm colorteller-5xx → ALARM: http_5xx_rate 0.200 (threshold 0.05)' },
      { at: 43.7, kind: 'restore', message: 'HandleAlarmEventFunction restored the route to its original targets', canaryWeight: 0 },
    ],
    series: Array.from({ length: 50 }, (_, index) => ({
      at: index + 1,
      canaryWeight: index >= 33 && index < 46 ? 10 : 0,
      requests: 100,
      errors: index >= 33 && index < 46 ? 3 : 0,
      canaryErrors: index >= 33 && index < 46 ? 2 : 0,
    })),
    ...overrides,
  };
}

const xmlEntity = '&(?:amp|lt|gt|quot|apos);';
const xmlToken = new RegExp(`<(/?)([A-Za-z][\\w:-]*)(?:\\s+[\\w:-]+="(?:[^"<&]|${xmlEntity})*")*\\s*(/?)>|[^<&]+|${xmlEntity}`, 'y');

/** Enough of XML to catch what SVG built from strings gets wrong: unbalanced tags, a bare & or <, a broken attribute. */
function xmlProblem(xml: string): string {
  const open: string[] = [];
  let position = 0;
  while (position < xml.length) {
    xmlToken.lastIndex = position;
    const token = xmlToken.exec(xml);
    if (!token || (position === 0 && token[2] !== 'svg')) return `unexpected ${JSON.stringify(xml.slice(position, position + 40))} at ${position}`;
    const [, closing, name, selfClosing] = token;
    if (open.length === 0 && position > 0 && xml.slice(position).trim()) return `content after the root element at ${position}`;
    position = xmlToken.lastIndex;
    if (!name || selfClosing) continue;
    if (!closing) open.push(name);
    else if (open.pop() !== name) return `</${name}> closes nothing open`;
  }
  return open.length ? `unclosed ${open.join(', ')}` : 'well-formed';
}

const textsOf = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, content = '']) => content);
/** The only labels that are bare numbers: time ticks end in `s`, weights in `%`. */
const failureAxisTicks = (svg: string) => textsOf(svg).filter((content) => /^\d+$/.test(content));
const textElement = (svg: string, content: string) => svg.match(new RegExp(`<text[^>]*>${content}</text>`))?.[0] ?? '';
const attribute = (element: string, name: string) => Number(new RegExp(` ${name}="([^"]*)"`).exec(element)?.[1]);

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
    expect(line).toBe('[    90.0s] USERS    ██████████░░░░░░░░░░  50 %  users now see colorteller-v2 at 50 %');
  });

  it('summarises the outcome, failures and AWS calls, and flags a run that ended unexpectedly', () => {
    // Act
    const expected = formatSummary(report(), 512);
    const unexpected = formatSummary(report({ outcome: 'promoted' }), 512);

    // Assess
    expect(expected).toContain('rolled back (as expected); execution ABORTED with AlarmBreachedError');
    expect(expected).toContain('5000 served, 30 failed (20 on the canary)');
    expect(expected).toContain('AWS calls          5: DescribeRoute 3, UpdateRoute 2');
    expect(unexpected).toContain('EXPECTED rolled back');
  });
});

describe('timeline SVG', () => {
  it('is one well-formed SVG element with no external resources, the same bytes for the same report', () => {
    // Act
    const svg = timelineSvg(report());

    // Assess
    expect(xmlProblem(svg)).toBe('well-formed');
    expect(xmlProblem('<svg><text>a & b</text></svg>')).toMatch(/^unexpected "& b/);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/href|url\(|@import/);
    expect(timelineSvg(structuredClone(report()))).toBe(svg);
  });

  it('titles the run with its scenario, rollout, outcome, duration and failed requests', () => {
    // Act
    const texts = textsOf(timelineSvg(report()));

    // Assess
    expect(texts).toContain('bad-canary: rolled back');
    expect(texts).toContain('rollout default-colorteller-1 · seed 1 · 50.0 s simulated · execution ABORTED: AlarmBreachedError');
    expect(texts).toContain('30 of 5000 requests failed, 20 of them on the canary');
  });

  it('marks every weight meshshift wrote with its weight, and names who restored the route', () => {
    // Act
    const svg = timelineSvg(report());

    // Assess
    expect(svg.match(/<title>[^<]* wrote colorteller-v1 \d+ \/ colorteller-v2 \d+<\/title><circle/g)).toHaveLength(2);
    expect(textsOf(svg)).toEqual(expect.arrayContaining(['10 %', '0 %', 'route restored by HandleAlarmEventFunction']));
  });

  it('draws alarms as lines across the plot, labelled ALARM or OK', () => {
    // Prepare
    const ok: TimelineEntry = { at: 48, kind: 'alarm', message: 'alarm colorteller-5xx → OK: http_5xx_rate 0.000 (threshold 0.05)' };

    // Act
    const svg = timelineSvg(report({ timeline: [...report().timeline, ok] }));

    // Assess
    expect(svg.match(/<line [^>]*stroke-dasharray="4"/g)).toHaveLength(2);
    expect(textsOf(svg)).toEqual(expect.arrayContaining(['ALARM', 'OK', 'alarm → ALARM', 'alarm → OK']));
  });

  it("marks a person's edit apart from meshshift's writes, at the weight they set", () => {
    // Prepare
    const edit: TimelineEntry = { at: 40, kind: 'person', message: 'a person sets the route to 60 / 40 in the console', canaryWeight: 40 };

    // Act
    const svg = timelineSvg(report({ timeline: [...report().timeline, edit] }));

    // Assess
    expect(textsOf(svg)).toEqual(expect.arrayContaining(['person sets canary to 40 %', '40 %', 'by a person']));
    expect(svg.match(/<line [^>]*stroke-dasharray="1 3"/g)).toHaveLength(1);
    expect(svg).toContain('<title>40.0 s: a person sets the route to 60 / 40 in the console</title>');
  });

  it('marks every health verdict, and folds a run of the same verdict into one label', () => {
    // Prepare
    const verdicts: ScenarioReport['verdicts'] = [
      { at: 20, verdict: 'advance', canaryWeight: 10 },
      { at: 30, verdict: 'hold', canaryWeight: 25 },
      { at: 31, verdict: 'hold', canaryWeight: 25 },
      { at: 40, verdict: 'promote', canaryWeight: 100 },
      { at: 48, verdict: 'roll back', canaryWeight: 100, reason: 'AlarmBreachedError' },
    ];

    // Act
    const texts = textsOf(timelineSvg(report({ verdicts })));

    // Assess
    expect(texts).toEqual(expect.arrayContaining(['advance at 10 %', 'hold at 25 % ×2', 'promote at 100 %', 'roll back at 100 %']));
    expect(texts).toEqual(expect.arrayContaining(['health: advance', 'health: hold', 'health: promote', 'health: roll back']));
  });

  it('scales the failure axis on the right to the worst second, whether 3 or 180 requests fail', () => {
    // Prepare
    const storm = report().series.map((point) => ({ ...point, requests: 1000, errors: point.errors * 60 }));

    // Act
    const few = failureAxisTicks(timelineSvg(report()));
    const many = failureAxisTicks(timelineSvg(report({ series: storm })));

    // Assess
    expect(few).toEqual(['0', '1', '2', '3', '4']);
    expect(many).toEqual(['0', '50', '100', '150', '200']);
  });

  it('counts time in seconds, and in minutes too when the run is long', () => {
    // Act
    const short = textsOf(timelineSvg(report()));
    const long = textsOf(timelineSvg(report({ simulatedSeconds: 300 })));

    // Assess
    expect(short).toEqual(expect.arrayContaining(['0 s', '25 s', '50 s']));
    expect(short).not.toContain('0:00');
    expect(long).toEqual(expect.arrayContaining(['240 s', '4:00', '300 s', '5:00']));
  });

  it('staggers state labels that would overlap, and counts retries on the state they repeat', () => {
    // Prepare
    const retry: TimelineEntry = { at: 1, kind: 'state', message: 'retry "Prepare rollout"' };
    const timeline = [...report().timeline, retry].sort((a, b) => a.at - b.at);

    // Act
    const svg = timelineSvg(report({ timeline }));

    // Assess
    const prepare = textElement(svg, 'Prepare rollout \\(1 retry\\)');
    const ensure = textElement(svg, 'Ensure canary node');
    expect(attribute(prepare, 'y')).not.toBe(attribute(ensure, 'y'));
    expect(textsOf(svg)).toContain('retry');
  });

  it('escapes names that contain XML', () => {
    // Prepare
    const writes = [{ at: 30.7, by: 'Shift<&>"Traffic"', canaryWeight: 10, targets: targets(10) }];
    const restore: TimelineEntry = { at: 30.7, kind: 'restore', message: 'restored' };

    // Act
    const svg = timelineSvg(report({ scenario: 'a <b> & "c"', writes, timeline: [restore] }));

    // Assess
    expect(xmlProblem(svg)).toBe('well-formed');
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;: rolled back');
    expect(svg).toContain('route restored by Shift&lt;&amp;&gt;&quot;Traffic&quot;');
  });
});
