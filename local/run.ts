import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScenario, scenarios } from './scenarios';
import { formatSummary, formatTimelineEntry, timelineSvg } from './timeline-format';

const usage = `Usage: npm start -- [--scenario NAME | --all] [--json] [--svg FILE] [--ms-per-second N] [--rps N]

Runs a whole meshshift rollout on this machine: the real state machine and handlers, a
simulated App Mesh / ECS / CloudWatch, DynamoDB on dynalite. No AWS account, no network.

Scenarios: ${Object.keys(scenarios).join(', ')} (default: healthy)
  --all              run every scenario
  --json             print the report(s) as JSON instead of a live timeline
  --svg FILE         also write a picture of the timeline (one scenario)
  --ms-per-second N  real milliseconds per simulated second (default 10)
  --rps N            requests per second through the route (default 100)`;

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs({
      options: {
        scenario: { type: 'string', default: 'healthy' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        svg: { type: 'string' },
        'ms-per-second': { type: 'string', default: '10' },
        rps: { type: 'string', default: '100' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const msPerSimulatedSecond = Number(options['ms-per-second']);
  const requestsPerSecond = Number(options.rps);
  if (!(msPerSimulatedSecond >= 1) || !(requestsPerSecond >= 1)) {
    console.error(`--ms-per-second and --rps must be numbers of at least 1\n\n${usage}`);
    return 2;
  }
  const names = options.all ? Object.keys(scenarios) : [options.scenario ?? 'healthy'];
  const unknown = names.filter((name) => !(name in scenarios));
  if (unknown.length > 0) {
    console.error(`Unknown scenario ${unknown.join(', ')}; choose one of: ${Object.keys(scenarios).join(', ')}`);
    return 2;
  }

  const reports = [];
  for (const name of names) {
    if (!options.json) console.log(`\n▶ ${name}: ${scenarios[name]?.description}\n`);
    const report = await runScenario(name, {
      msPerSimulatedSecond,
      requestsPerSecond,
      onTimeline: options.json ? undefined : (entry) => console.log(formatTimelineEntry(entry)),
    });
    reports.push(report);
    if (!options.json) console.log(`\n${formatSummary(report)}`);
    if (options.svg) writeFileSync(options.svg, timelineSvg(report));
  }
  if (options.json) console.log(JSON.stringify(options.all ? reports : reports[0], null, 2));
  return reports.every((report) => report.outcome === report.expected) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
