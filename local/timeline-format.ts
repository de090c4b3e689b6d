import type { ScenarioReport, TimelineEntry } from './scenarios';

const barWidth = 20;

/** `██████░░░░░░░░░░░░░░ 30 %`: the canary's share of the route as users see it. */
export function weightBar(canaryWeight: number): string {
  const filled = Math.round((canaryWeight / 100) * barWidth);
  return `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)} ${String(canaryWeight).padStart(3)} %`;
}

const kindLabels: Record<TimelineEntry['kind'], string> = {
  deployment: 'ECS     ',
  state: 'SFN     ',
  weights: 'ROUTE   ',
  alarm: 'ALARM   ',
  traffic: 'TRAFFIC ',
  person: 'PERSON  ',
  outcome: 'OUTCOME ',
};

/** One readable timeline line, e.g. `[  90s] ROUTE    █████░░░…  25 %  users now see colorteller-v2 at 25 %`. */
export function formatTimelineEntry(entry: TimelineEntry): string {
  const at = `[${String(entry.at).padStart(5)}s]`;
  const bar = entry.kind === 'weights' && entry.canaryWeight !== undefined ? `${weightBar(entry.canaryWeight)}  ` : '';
  return `${at} ${kindLabels[entry.kind]} ${bar}${entry.message}`;
}

/** The summary block printed after a scenario. */
export function formatSummary(report: ScenarioReport): string {
  const calls = Object.entries(report.awsCalls.byOperation)
    .sort(([, a], [, b]) => b - a)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  const verdict = report.outcome === report.expected ? 'as expected' : `EXPECTED ${report.expected}`;
  return [
    `Scenario ${report.scenario}: ${report.description}`,
    `  outcome            ${report.outcome} (${verdict}); execution ${report.executionStatus}${report.error ? ` with ${report.error}` : ''}`,
    ...(report.cause ? [`  cause              ${report.cause}`] : []),
    `  duration           ${report.simulatedSeconds} simulated s in ${report.realMilliseconds} ms`,
    `  requests           ${report.requests.served} served, ${report.requests.failed} failed (${report.requests.failedOnCanary} on the canary)`,
    `  state transitions  ${report.stateTransitions} (${report.retries} retries)`,
    `  AWS calls          ${report.awsCalls.total}: ${calls}`,
    `  final route        ${report.finalRoute.map((target) => `${target.virtualNode} ${target.weight} %`).join(', ')}`,
  ].join('\n');
}

/** A picture of the run: canary weight (area) and failed requests per second (bars), alarms marked. */
export function timelineSvg(report: ScenarioReport): string {
  const width = 900;
  const height = 260;
  const left = 50;
  const plotWidth = width - left - 20;
  const plotHeight = 180;
  const top = 30;
  const last = Math.max(1, report.series.at(-1)?.at ?? 1);
  const x = (at: number) => left + (at / last) * plotWidth;
  const y = (percent: number) => top + plotHeight - (percent / 100) * plotHeight;
  const maxErrors = Math.max(1, ...report.series.map((point) => point.errors));
  const area = report.series.map((point) => `${x(point.at).toFixed(1)},${y(point.canaryWeight).toFixed(1)}`).join(' ');
  const bars = report.series
    .filter((point) => point.errors > 0)
    .map((point) => {
      const barHeight = (point.errors / maxErrors) * (plotHeight / 2);
      return `<rect x="${x(point.at).toFixed(1)}" y="${(top + plotHeight - barHeight).toFixed(1)}" width="2" height="${barHeight.toFixed(1)}" fill="#d33"/>`;
    })
    .join('');
  const alarms = report.timeline
    .filter((entry) => entry.kind === 'alarm' && entry.message.endsWith('ALARM'))
    .map((entry) => `<line x1="${x(entry.at)}" x2="${x(entry.at)}" y1="${top}" y2="${top + plotHeight}" stroke="#d33" stroke-dasharray="4"/><text x="${x(entry.at) + 4}" y="${top + 12}" font-size="11" fill="#d33">ALARM</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="18" font-size="13">meshshift ${report.scenario}: ${report.outcome} after ${report.simulatedSeconds} s, ${report.requests.failed} failed requests</text>
<polyline points="${x(0)},${y(0)} ${area} ${x(last)},${y(0)}" fill="#4a90d9" fill-opacity="0.35" stroke="#4a90d9"/>
${bars}${alarms}
<line x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>
<text x="8" y="${y(100) + 4}" font-size="11">100 %</text><text x="20" y="${y(0)}" font-size="11">0 %</text>
<text x="${left}" y="${height - 20}" font-size="11">0 s</text><text x="${left + plotWidth - 30}" y="${height - 20}" font-size="11">${last} s</text>
<text x="${left + 80}" y="${height - 20}" font-size="11" fill="#4a90d9">canary weight users see</text><text x="${left + 260}" y="${height - 20}" font-size="11" fill="#d33">failed requests per second</text>
</svg>
`;
}
