import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTrafficProvider, trafficProviders } from '../functions/shared/domain/traffic-provider';
import { parseRunOptions, type RunOptions } from './run-options';
import { runScenario, type ScenarioReport, scenarios } from './scenarios';
import { formatSummary, formatTimelineEntry, timelineSvg } from './timeline-format';

const usage = `Usage: npm start -- [--scenario NAME | --all] [--provider ${trafficProviders.join('|')}] [--json [FILE]] [--svg FILE|DIR] [--seed N] [--rps N]

Runs a whole meshshift rollout on this machine: the real state machine and handlers, a
simulated App Mesh or VPC Lattice, ECS and CloudWatch, DynamoDB on dynalite, all on one
simulated clock. No AWS account, no network; the same scenario and seed always give the same report.

Scenarios: ${Object.keys(scenarios).join(', ')} (default: healthy)
  --all            run every scenario
  --provider NAME  the traffic provider the color app runs on: ${trafficProviders.join(' or ')} (default ${defaultTrafficProvider})
  --json [FILE]    write the report(s) as JSON to FILE, or to standard output without FILE
                   (then nothing else is printed there: npm start --silent -- --json | jq)
  --svg FILE|DIR   draw the timeline: FILE for one scenario, a directory for --all
  --seed N         seed of every latency, delay and retry jitter, 0 to ${2 ** 31 - 1} (default 1)
  --rps N          requests per second through the route, 1 to 10000 (default 100)`;

async function main(argv: string[]): Promise<number> {
  let options: RunOptions;
  try {
    options = parseRunOptions(argv, Object.keys(scenarios));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }

  const live = options.json !== '-';
  const reports: ScenarioReport[] = [];
  for (const name of options.names) {
    if (live) console.log(`\n▶ ${name}: ${scenarios[name]?.description}\n`);
    const startedAt = performance.now();
    const report = await runScenario(name, { provider: options.provider, seed: options.seed, requestsPerSecond: options.requestsPerSecond, onTimeline: live ? (entry) => console.log(formatTimelineEntry(entry)) : undefined });
    reports.push(report);
    if (live) console.log(`\n${formatSummary(report, performance.now() - startedAt)}`);
    if (options.svg) writeFileSync(options.all ? join(options.svg, `${name}.svg`) : options.svg, timelineSvg(report));
  }
  const json = `${JSON.stringify(options.all ? reports : reports[0], null, 2)}\n`;
  if (options.json === '-') process.stdout.write(json);
  else if (options.json) writeFileSync(options.json, json);
  return reports.every((report) => report.outcome === report.expected) ? 0 : 1;
}

// Never process.exit: it would drop whatever a pipe has not taken yet of a large report.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
