import type { HealthVerdictEntry, ScenarioReport, TimelineEntry, TimelineKind } from './scenarios';

const barWidth = 20;

/** `██████░░░░░░░░░░░░░░ 30 %`: the canary's share of the route as users see it. */
export function weightBar(canaryWeight: number): string {
  const filled = Math.round((canaryWeight / 100) * barWidth);
  return `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)} ${String(canaryWeight).padStart(3)} %`;
}

const kindLabels: Record<TimelineKind, string> = {
  deployment: 'ECS',
  state: 'SFN',
  verdict: 'HEALTH',
  write: 'WRITE',
  restore: 'RESTORE',
  weights: 'USERS',
  alarm: 'ALARM',
  traffic: 'TRAFFIC',
  person: 'PERSON',
  hook: 'HOOK',
  outcome: 'OUTCOME',
};

/** One readable timeline line, e.g. `[   90.4s] USERS    █████░░░…  25 %  users now see colorteller-v2 at 25 %`. */
export function formatTimelineEntry(entry: TimelineEntry): string {
  const at = `[${entry.at.toFixed(1).padStart(8)}s]`;
  const showsWeight = (entry.kind === 'weights' || entry.kind === 'write' || entry.kind === 'restore') && entry.canaryWeight !== undefined;
  const bar = showsWeight ? `${weightBar(entry.canaryWeight as number)}  ` : '';
  return `${at} ${kindLabels[entry.kind].padEnd(8)} ${bar}${entry.message}`;
}

/** The summary block printed after a scenario; `wallMilliseconds` is how long the run took here. */
export function formatSummary(report: ScenarioReport, wallMilliseconds: number): string {
  const calls = Object.entries(report.awsCalls.byOperation)
    .sort(([, a], [, b]) => b - a)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  const verdict = report.outcome === report.expected ? 'as expected' : `EXPECTED ${report.expected}`;
  return [
    `Scenario ${report.scenario}: ${report.description}`,
    `  outcome            ${report.outcome} (${verdict}); execution ${report.executionStatus}${report.error ? ` with ${report.error}` : ''}`,
    ...(report.cause ? [`  cause              ${report.cause}`] : []),
    `  rollout            ${report.rolloutId} (seed ${report.seed})`,
    `  duration           ${report.simulatedSeconds} simulated s, run in ${Math.round(wallMilliseconds)} ms of wall time`,
    `  weights written    ${report.writes.map((write) => `${write.canaryWeight} % by ${write.by}`).join(', ') || 'none'}`,
    `  health verdicts    ${report.verdicts.map((verdict) => `${verdict.verdict} at ${verdict.canaryWeight} %`).join(', ') || 'none'}`,
    `  requests           ${report.requests.served} served, ${report.requests.failed} failed (${report.requests.failedOnCanary} on the canary)`,
    `  state transitions  ${report.stateTransitions} (${report.retries} retries)`,
    `  AWS calls          ${report.awsCalls.total}: ${calls}`,
    `  final route        ${report.finalRoute.map((target) => `${report.backendNames[target.virtualNode] ?? target.virtualNode} ${target.weight} %`).join(', ')}`,
  ].join('\n');
}

type Attributes = Record<string, string | number | undefined>;

const xmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (character) => xmlEntities[character] ?? character);

/** Coordinates to a tenth of a pixel keep the file small and the same report byte for byte the same. */
const rounded = (value: number) => String(Math.round(value * 10) / 10);

/** Every element goes through here, so no name or message can break the XML. */
function element(name: string, attributes: Attributes, children = ''): string {
  const rendered = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([attribute, value]) => ` ${attribute}="${typeof value === 'number' ? rounded(value) : escapeXml(String(value))}"`)
    .join('');
  return children ? `<${name}${rendered}>${children}</${name}>` : `<${name}${rendered}/>`;
}

const text = (x: number, y: number, content: string, attributes: Attributes = {}) => element('text', { x, y, ...attributes }, escapeXml(content));

/** Generous, as for DejaVu Sans or Verdana, so labels laid out by it do not collide in narrower fonts either. */
const textWidth = (content: string, fontSize: number) => content.length * fontSize * 0.62;

const width = 1000;
const plotLeft = 86;
const plotRight = width - 80;
const plotHeight = 220;
const rowHeight = 14;
const fontSize = 10;
const labelGap = 8;

const colours = {
  seen: '#4a90d9',
  written: '#1f3b73',
  failure: '#d33',
  ok: '#2a9d4b',
  person: '#8e44ad',
  hook: '#16a085',
  state: '#555',
  retry: '#e67e22',
  deployment: '#888',
  grid: '#e4e4e4',
  axis: '#333',
  muted: '#666',
};

const verdictColours: Record<HealthVerdictEntry['verdict'], string> = {
  advance: '#1b9e77',
  hold: '#e6a100',
  promote: '#2e7d32',
  'roll back': colours.failure,
};

const outcomeColours: Record<ScenarioReport['outcome'], string> = {
  promoted: verdictColours.promote,
  'rolled back': colours.failure,
  abandoned: '#e6a100',
  'not started': colours.muted,
  unfinished: colours.muted,
};

type Marker = 'tick' | 'dot' | 'diamond' | 'square';

/** Something that happened at one moment, shown in a lane above the plot. */
interface LaneItem {
  at: number;
  label: string;
  colour: string;
  marker: Marker;
  /** The full story, as a tooltip where the SVG is viewed in a browser. */
  detail: string;
}

interface PlacedItem extends LaneItem {
  row: number;
  anchor: 'start' | 'end';
}

const markerShape = (marker: Marker, x: number, y: number, colour: string): string => {
  switch (marker) {
    case 'tick':
      return element('line', { x1: x, x2: x, y1: y - 5, y2: y + 5, stroke: colour, 'stroke-width': 2 });
    case 'dot':
      return element('circle', { cx: x, cy: y, r: 4, fill: colour });
    case 'diamond':
      return element('path', { d: `M${rounded(x)} ${rounded(y - 5)}l5 5l-5 5l-5 -5z`, fill: colour });
    case 'square':
      return element('rect', { x: x - 3.5, y: y - 3.5, width: 7, height: 7, fill: colour });
  }
};

/** A flapping alarm or a run of holds reads as `hold at 25 % ×6`, not as a pile of labels. */
function mergeRepeats(items: LaneItem[], x: (at: number) => number): LaneItem[] {
  const merged: Array<LaneItem & { repeats: number }> = [];
  for (const item of [...items].sort((a, b) => a.at - b.at)) {
    const previous = merged.at(-1);
    const previousEnd = previous ? x(previous.at) + labelGap + textWidth(`${previous.label} ×99`, fontSize) : -Infinity;
    if (previous?.label === item.label && x(item.at) < previousEnd) {
      previous.repeats += 1;
      previous.detail += `\n${item.detail}`;
    } else merged.push({ ...item, repeats: 1 });
  }
  return merged.map(({ repeats, ...item }) => (repeats > 1 ? { ...item, label: `${item.label} ×${repeats}` } : item));
}

/**
 * Gives each label, in time order, the lowest row where it does not touch its neighbour, so labels stagger
 * instead of overlapping; a label that would run off the right edge reads leftwards from its marker.
 */
function placeInRows(items: LaneItem[], x: (at: number) => number): PlacedItem[] {
  const rowEnds: number[] = [];
  return items.map((item) => {
    const at = x(item.at);
    const labelWidth = textWidth(item.label, fontSize);
    const anchor = at + labelWidth + labelGap > width - 4 ? 'end' : 'start';
    const [start, end] = anchor === 'start' ? [at - 5, at + labelGap + labelWidth] : [at - labelGap - labelWidth, at + 5];
    const free = rowEnds.findIndex((rowEnd) => rowEnd + labelGap <= start);
    const row = free === -1 ? rowEnds.length : free;
    rowEnds[row] = end;
    return { ...item, row, anchor };
  });
}

function laneHeight(placed: PlacedItem[]): number {
  return (Math.max(...placed.map((item) => item.row)) + 1) * rowHeight + 6;
}

/** Row 0 sits nearest the plot, where the eye starts. */
function drawLane(name: string, placed: PlacedItem[], top: number, x: (at: number) => number): string {
  const bottom = top + laneHeight(placed);
  const items = placed.map((item) => {
    const at = x(item.at);
    const y = bottom - 3 - (item.row + 0.5) * rowHeight;
    const labelX = item.anchor === 'start' ? at + labelGap : at - labelGap;
    return element(
      'g',
      {},
      element('title', {}, escapeXml(item.detail)) +
        markerShape(item.marker, at, y, item.colour) +
        text(labelX, y + 3.5, item.label, { 'font-size': fontSize, fill: item.colour, 'text-anchor': item.anchor === 'end' ? 'end' : undefined }),
    );
  });
  return [
    element('line', { x1: plotLeft, x2: plotRight, y1: bottom, y2: bottom, stroke: colours.grid }),
    text(plotLeft - 8, bottom - 3 - rowHeight / 2 + 3.5, name, { 'font-size': fontSize, fill: colours.muted, 'text-anchor': 'end' }),
    ...items,
  ].join('\n');
}

const stateMessage = /^(state|retry) "(.*)"$/;
const isRetry = (entry: TimelineEntry) => entry.kind === 'state' && stateMessage.exec(entry.message)?.[1] === 'retry';

/**
 * States entered within a few pixels of each other share one label (`Check health › Shift traffic › Bake`),
 * and retries count on the state they repeat, so a retry storm reads as one line, not a smear.
 */
function stateItems(report: ScenarioReport, x: (at: number) => number): LaneItem[] {
  const entered: Array<{ at: number; name: string; retries: number }> = [];
  for (const entry of report.timeline.filter((candidate) => candidate.kind === 'state')) {
    const [, kind, name = entry.message] = stateMessage.exec(entry.message) ?? [];
    const previous = entered.at(-1);
    if (kind === 'retry' && previous?.name === name) previous.retries += 1;
    else entered.push({ at: entry.at, name, retries: 0 });
  }
  const clusters: Array<{ at: number; names: string[] }> = [];
  for (const state of entered) {
    const name = state.retries ? `${state.name} (${state.retries} ${state.retries === 1 ? 'retry' : 'retries'})` : state.name;
    const cluster = clusters.at(-1);
    if (cluster && x(state.at) - x(cluster.at) < labelGap) cluster.names.push(name);
    else clusters.push({ at: state.at, names: [name] });
  }
  return clusters.map((cluster) => {
    const label = cluster.names.join(' › ');
    return { at: cluster.at, label, colour: colours.state, marker: 'tick', detail: `${seconds(cluster.at)}: ${label}` };
  });
}

const alarmState = (entry: TimelineEntry) => /→ (\w+)/.exec(entry.message)?.[1] ?? 'ALARM';
const alarmColour = (entry: TimelineEntry) => (alarmState(entry) === 'OK' ? colours.ok : colours.failure);
const shortened = (content: string, length: number) => (content.length > length ? `${content.slice(0, length - 1)}…` : content);
const personLabel = (entry: TimelineEntry) =>
  entry.canaryWeight === undefined ? `person: ${shortened(entry.message, 48)}` : `person sets canary to ${entry.canaryWeight} %`;

/** The restore and its write share one moment; the write knows who made it. */
function restoreLabel(report: ScenarioReport, entry: TimelineEntry): string {
  const restorer = report.writes.find((write) => write.at === entry.at)?.by;
  return restorer ? `route restored by ${restorer}` : shortened(entry.message, 48);
}

function eventItems(report: ScenarioReport): LaneItem[] {
  return report.timeline.flatMap((entry): LaneItem[] => {
    const detail = `${seconds(entry.at)}: ${entry.message}`;
    switch (entry.kind) {
      case 'deployment':
        // The deployment id is long and the same all run; the tooltip keeps it.
        return [{ at: entry.at, label: entry.message.replace(/ \S*\/\S*/, ''), colour: colours.deployment, marker: 'square', detail }];
      case 'alarm':
        return [{ at: entry.at, label: alarmState(entry), colour: alarmColour(entry), marker: 'tick', detail }];
      case 'person':
        return [{ at: entry.at, label: personLabel(entry), colour: colours.person, marker: 'diamond', detail }];
      case 'restore':
        return [{ at: entry.at, label: restoreLabel(report, entry), colour: colours.written, marker: 'dot', detail }];
      case 'hook':
        return [{ at: entry.at, label: shortened(entry.message, 48), colour: colours.hook, marker: 'diamond', detail }];
      default:
        return [];
    }
  });
}

function verdictItems(report: ScenarioReport): LaneItem[] {
  return report.verdicts.map((verdict) => ({
    at: verdict.at,
    label: `${verdict.verdict} at ${verdict.canaryWeight} %`,
    colour: verdictColours[verdict.verdict],
    marker: 'dot',
    detail: `${seconds(verdict.at)}: health check at ${verdict.canaryWeight} %: ${verdict.verdict}${verdict.reason ? ` (${verdict.reason})` : ''}`,
  }));
}

const seconds = (at: number) => `${at.toFixed(1)} s`;
const longRun = (end: number) => end > 120;
const minutesAndSeconds = (at: number) => [Math.floor(Math.round(at) / 60), Math.round(at) % 60] as const;
const clock = (at: number) => {
  const [minutes, remainder] = minutesAndSeconds(at);
  return `${minutes}:${String(remainder).padStart(2, '0')}`;
};
const duration = (at: number) => {
  const [minutes, remainder] = minutesAndSeconds(at);
  return longRun(at) ? `${seconds(at)} (${minutes} min ${remainder} s)` : seconds(at);
};

const timeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** At most ten time ticks, on round seconds or minutes. */
function timeTicks(end: number): number[] {
  const step = timeSteps.find((candidate) => end / candidate <= 10) ?? Math.ceil(end / 36000) * 3600;
  return Array.from({ length: Math.floor(end / step) + 1 }, (_, index) => index * step);
}

const failureSteps = [1, 2, 5];

/**
 * One of four whole steps on the failure axis, so it shares the weight axis's grid lines and tops
 * out at or just above the worst second: 2 failed requests read as well as 200. The smallest
 * step is 1, which keeps the odd background failure from filling the plot.
 */
function failureStep(worstSecond: number): number {
  const quarter = Math.max(1, worstSecond / 4);
  const magnitude = 10 ** Math.floor(Math.log10(quarter));
  return (failureSteps.find((candidate) => candidate * magnitude >= quarter) ?? 10) * magnitude;
}

function titleLines(report: ScenarioReport): string {
  const expectation = report.outcome === report.expected ? '' : ` (EXPECTED ${report.expected})`;
  const execution = `execution ${report.executionStatus}${report.error ? `: ${report.error}` : ''}`;
  const { failed, served, failedOnCanary } = report.requests;
  return [
    text(plotLeft, 22, `${report.scenario}: ${report.outcome}${expectation}`, { 'font-size': 17, 'font-weight': 'bold', fill: outcomeColours[report.outcome] }),
    text(plotLeft, 40, `rollout ${report.rolloutId} · seed ${report.seed} · ${duration(report.simulatedSeconds)} simulated · ${execution}`, { 'font-size': 12 }),
    text(plotLeft, 56, `${failed} of ${served} requests failed, ${failedOnCanary} of them on the canary`, { 'font-size': 12, fill: failed ? colours.failure : colours.axis }),
  ].join('\n');
}

/** Where the plot sits once the lanes above it are laid out, and how values map onto it. */
interface Frame {
  end: number;
  top: number;
  bottom: number;
  x: (at: number) => number;
  yWeight: (percent: number) => number;
  yFailures: (failed: number) => number;
  failureStep: number;
}

/** The weight axis on the left and the failure axis on the right share five grid lines. */
function axes(frame: Frame): string {
  const { end, top, bottom, x } = frame;
  const grid = [0, 1, 2, 3, 4].map((quarter) => {
    const y = frame.yWeight(quarter * 25);
    return [
      element('line', { x1: plotLeft, x2: plotRight, y1: y, y2: y, stroke: quarter ? colours.grid : colours.axis }),
      text(plotLeft - 6, y + 3.5, `${quarter * 25} %`, { 'font-size': fontSize, fill: colours.seen, 'text-anchor': 'end' }),
      text(plotRight + 6, y + 3.5, String(quarter * frame.failureStep), { 'font-size': fontSize, fill: colours.failure }),
    ].join('');
  });
  const ticks = timeTicks(end).map((at) =>
    [
      element('line', { x1: x(at), x2: x(at), y1: bottom, y2: bottom + 5, stroke: colours.axis }),
      text(x(at), bottom + 17, `${at} s`, { 'font-size': fontSize, 'text-anchor': 'middle' }),
      longRun(end) ? text(x(at), bottom + 29, clock(at), { 'font-size': fontSize, fill: colours.muted, 'text-anchor': 'middle' }) : '',
    ].join(''),
  );
  const middle = top + plotHeight / 2;
  return [
    ...grid,
    ...ticks,
    text(0, 0, 'canary weight', { 'font-size': fontSize, fill: colours.seen, 'text-anchor': 'middle', transform: `translate(${plotLeft - 46} ${rounded(middle)}) rotate(-90)` }),
    text(0, 0, 'failed requests per second', { 'font-size': fontSize, fill: colours.failure, 'text-anchor': 'middle', transform: `translate(${plotRight + 60} ${rounded(middle)}) rotate(90)` }),
    text(plotRight, bottom + (longRun(end) ? 43 : 31), longRun(end) ? 'simulated seconds (min:s below)' : 'simulated seconds', { 'font-size': fontSize, fill: colours.muted, 'text-anchor': 'end' }),
  ].join('\n');
}

/** Each second of the series is what users saw during the second that ends at `at`. */
function traffic(report: ScenarioReport, frame: Frame): string {
  const { x, bottom } = frame;
  const changes = report.series
    .filter((point, index, series) => index === 0 || point.canaryWeight !== series[index - 1]?.canaryWeight)
    .map((point) => `H${rounded(x(point.at - 1))}V${rounded(frame.yWeight(point.canaryWeight))}`)
    .join('');
  const seenArea = element('path', {
    d: `M${rounded(x(0))} ${rounded(bottom)}${changes}H${rounded(x(report.series.at(-1)?.at ?? 0))}V${rounded(bottom)}z`,
    fill: colours.seen,
    'fill-opacity': 0.3,
    stroke: colours.seen,
  });
  const barWidth = Math.max(1, ((x(frame.end) - x(0)) / frame.end) * 0.6);
  const bars = report.series
    .filter((point) => point.errors > 0)
    .map((point) => {
      const y = frame.yFailures(point.errors);
      return element('rect', { x: x(point.at - 1), y, width: barWidth, height: bottom - y, fill: colours.failure, 'fill-opacity': 0.7 });
    });
  // The area goes over the bars so a small canary weight still shows through a failure spike.
  return [...bars, seenArea].join('\n');
}

/** Beside its marker, inside the plot, haloed so it stays readable over the area and the bars. */
function weightLabel(atX: number, y: number, canaryWeight: number, colour: string): string {
  const content = `${canaryWeight} %`;
  const fitsRight = atX + 6 + textWidth(content, 11) < plotRight;
  return text(fitsRight ? atX + 6 : atX - 6, canaryWeight > 90 ? y + 15 : y - 6, content, {
    'font-size': 11,
    'font-weight': 'bold',
    fill: colour,
    'text-anchor': fitsRight ? undefined : 'end',
    stroke: '#fff',
    'stroke-width': 3,
    'paint-order': 'stroke',
  });
}

/** A person's write is theirs, not meshshift's: it shows as their marker, and the line keeps what meshshift last wrote. */
function writtenWeights(report: ScenarioReport, frame: Frame): string {
  const { x, yWeight } = frame;
  const writes = report.writes.filter((write) => write.by !== 'person');
  const steps = writes.map((write) => `H${rounded(x(write.at))}V${rounded(yWeight(write.canaryWeight))}`).join('');
  const line = element('path', {
    d: `M${rounded(x(0))} ${rounded(yWeight(report.series[0]?.canaryWeight ?? 0))}${steps}H${rounded(x(frame.end))}`,
    fill: 'none',
    stroke: colours.written,
    'stroke-width': 2,
  });
  const markers = writes.map((write) => {
    const targets = write.targets.map((target) => `${report.backendNames[target.virtualNode] ?? target.virtualNode} ${target.weight}`).join(' / ');
    return element(
      'g',
      {},
      element('title', {}, escapeXml(`${seconds(write.at)}: ${write.by} wrote ${targets}`)) +
        element('circle', { cx: x(write.at), cy: yWeight(write.canaryWeight), r: 4, fill: '#fff', stroke: colours.written, 'stroke-width': 2 }) +
        weightLabel(x(write.at), yWeight(write.canaryWeight), write.canaryWeight, colours.written),
    );
  });
  return [line, ...markers].join('\n');
}

/** Alarms and people cut across the whole plot; their labels are in the events lane above. */
function verticalMarkers(report: ScenarioReport, frame: Frame): string {
  const { x, top, bottom } = frame;
  return report.timeline
    .flatMap((entry) => {
      if (entry.kind !== 'alarm' && entry.kind !== 'person') return [];
      const alarm = entry.kind === 'alarm';
      const stroke = alarm ? alarmColour(entry) : colours.person;
      const line = element('line', { x1: x(entry.at), x2: x(entry.at), y1: top, y2: bottom, stroke, 'stroke-dasharray': alarm ? 4 : '1 3', 'stroke-width': 1.5 });
      if (alarm || entry.canaryWeight === undefined) return [line];
      const y = frame.yWeight(entry.canaryWeight);
      return [line + markerShape('diamond', x(entry.at), y, colours.person) + weightLabel(x(entry.at), y, entry.canaryWeight, colours.person)];
    })
    .join('\n');
}

/** Every state entered and every retry, at its exact moment, under the labels that group them. */
function stateRug(report: ScenarioReport, frame: Frame): string {
  const { x, top } = frame;
  return report.timeline
    .filter((entry) => entry.kind === 'state')
    .map((entry) => element('line', { x1: x(entry.at), x2: x(entry.at), y1: top - 6, y2: top, stroke: isRetry(entry) ? colours.retry : colours.state }))
    .join('\n');
}

interface LegendEntry {
  shown: boolean;
  swatch: (x: number, y: number) => string;
  label: string;
}

const markerSwatch = (marker: Marker, colour: string) => (x: number, y: number) => markerShape(marker, x + 8, y, colour);

/** Only what this picture shows, wrapped to the width. */
function legend(report: ScenarioReport, top: number): { svg: string; height: number } {
  const has = (kind: TimelineKind) => report.timeline.some((entry) => entry.kind === kind);
  const alarmStates = [...new Set(report.timeline.filter((entry) => entry.kind === 'alarm').map(alarmState))].sort();
  const entries: LegendEntry[] = [
    {
      shown: true,
      swatch: (x, y) => element('rect', { x, y: y - 5, width: 16, height: 10, fill: colours.seen, 'fill-opacity': 0.35, stroke: colours.seen }),
      label: 'canary weight users see (left axis)',
    },
    {
      shown: true,
      swatch: (x, y) => element('path', { d: `M${rounded(x)} ${rounded(y + 4)}h8v-8h8`, fill: 'none', stroke: colours.written, 'stroke-width': 2 }),
      label: 'weight meshshift wrote',
    },
    { shown: true, swatch: (x, y) => element('rect', { x: x + 5, y: y - 6, width: 5, height: 12, fill: colours.failure }), label: 'failed requests per second (right axis)' },
    ...alarmStates.map((state) => ({
      shown: true,
      swatch: (x: number, y: number) => element('line', { x1: x + 8, x2: x + 8, y1: y - 7, y2: y + 7, stroke: state === 'OK' ? colours.ok : colours.failure, 'stroke-dasharray': 3 }),
      label: `alarm → ${state}`,
    })),
    { shown: has('person'), swatch: markerSwatch('diamond', colours.person), label: 'by a person' },
    ...Object.entries(verdictColours).map(([verdict, colour]) => ({
      shown: report.verdicts.some((entry) => entry.verdict === verdict),
      swatch: markerSwatch('dot', colour),
      label: `health: ${verdict}`,
    })),
    { shown: has('restore'), swatch: markerSwatch('dot', colours.written), label: 'route restored' },
    { shown: has('deployment'), swatch: markerSwatch('square', colours.deployment), label: 'ECS deployment' },
    { shown: has('state'), swatch: markerSwatch('tick', colours.state), label: 'state entered' },
    { shown: report.timeline.some(isRetry), swatch: markerSwatch('tick', colours.retry), label: 'retry' },
  ];
  let x = plotLeft;
  let y = top + 8;
  const parts = entries
    .filter((entry) => entry.shown)
    .map((entry) => {
      const entryWidth = 22 + textWidth(entry.label, fontSize) + 16;
      if (x + entryWidth > width - 10) {
        x = plotLeft;
        y += 18;
      }
      const part = entry.swatch(x, y) + text(x + 22, y + 3.5, entry.label, { 'font-size': fontSize, fill: colours.axis });
      x += entryWidth;
      return part;
    });
  return { svg: parts.join('\n'), height: y - top + 12 };
}

/**
 * A picture of the run an SRE reads at a glance: the canary weight users saw (area) against the
 * weights meshshift wrote (step line), failing requests on their own scale, and above the plot
 * what the state machine, ECS, the alarms, people and the health checks did, and when.
 */
export function timelineSvg(report: ScenarioReport): string {
  const end = Math.max(1, report.simulatedSeconds, report.series.at(-1)?.at ?? 0, ...report.timeline.map((entry) => entry.at));
  const x = (at: number) => plotLeft + (at / end) * (plotRight - plotLeft);

  const lanes = [
    { name: 'states', items: stateItems(report, x) },
    { name: 'events', items: mergeRepeats(eventItems(report), x) },
    { name: 'health', items: mergeRepeats(verdictItems(report), x) },
  ].filter((lane) => lane.items.length > 0);
  let laneTop = 70;
  const laneParts = lanes.map((lane) => {
    const placed = placeInRows(lane.items, x);
    const part = drawLane(lane.name, placed, laneTop, x);
    laneTop += laneHeight(placed);
    return part;
  });

  const top = laneTop + 10;
  const bottom = top + plotHeight;
  const step = failureStep(Math.max(0, ...report.series.map((point) => point.errors)));
  const frame: Frame = {
    end,
    top,
    bottom,
    x,
    yWeight: (percent) => bottom - (percent / 100) * plotHeight,
    yFailures: (failed) => bottom - (failed / (4 * step)) * plotHeight,
    failureStep: step,
  };

  const legendTop = bottom + (longRun(end) ? 50 : 38);
  const key = legend(report, legendTop);
  const height = rounded(legendTop + key.height + 8);
  return `${[
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif">`,
    element('rect', { width: '100%', height: '100%', fill: '#fff' }),
    titleLines(report),
    ...laneParts,
    axes(frame),
    traffic(report, frame),
    verticalMarkers(report, frame),
    stateRug(report, frame),
    writtenWeights(report, frame),
    key.svg,
    '</svg>',
  ].join('\n')}\n`;
}
