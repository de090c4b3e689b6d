import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTrafficProvider, trafficProviders } from '../functions/shared/domain/traffic-provider';
import type { DemoApp } from './demo-app';
import { keepStack, type KeptStack, realTimePace } from './keep-stack';
import { EndpointListenError } from './local-endpoint';
import type { LocalStack } from './local-stack';
import { defaultEndpointPort, defaultSpeed, parseRunOptions, type RunOptions } from './run-options';
import { runScenario, type ScenarioReport, scenarios } from './scenarios';
import { formatSummary, formatTimelineEntry, timelineSvg } from './timeline-format';

const usage = `Usage: npm start -- [--scenario NAME | --all] [--provider ${trafficProviders.join('|')}] [--json [FILE]] [--svg FILE|DIR] [--seed N] [--rps N]
                    [--keep [--port N] [--speed N]]

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
  --rps N          requests per second through the route, 1 to 10000 (default 100)
  --keep           then keep the (last) scenario's stack up for the operator CLI on one loopback
                   endpoint, and print the commands to try; Ctrl-C stops it
  --port N         the endpoint's port on 127.0.0.1, 0 for any free one (default ${defaultEndpointPort})
  --speed N        once kept, simulated seconds per real second, 1 to 3600 (default ${defaultSpeed})`;

/** A word as a shell reads it back: the commands printed are pasted as they are. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Serves the kept stack until Ctrl-C (or SIGTERM), then halts it; false when the endpoint could not listen. */
async function keepUntilInterrupted(stack: LocalStack, demo: DemoApp, options: RunOptions, rolloutId: string): Promise<boolean> {
  let kept: KeptStack;
  try {
    kept = await keepStack(stack, demo, { port: options.port, pace: realTimePace(options.speed), requestsPerSecond: options.requestsPerSecond, rolloutId });
  } catch (error) {
    await stack.halt();
    if (!(error instanceof EndpointListenError)) throw error;
    console.error(error.message);
    return false;
  }
  console.log(`\nThe stack stays up on ${kept.endpoint.url} (port ${kept.endpoint.port}): the registry's DynamoDB and Step Functions, as the CLI calls them.`);
  console.log(`Its clock now runs ${options.speed} simulated seconds per real second. Ctrl-C stops it.`);
  console.log('\nTry, from another terminal here (no AWS account, credentials or region needed):');
  for (const command of kept.commands) console.log(`\n  # ${command.what}\n  npm run cli -- ${command.argv.map(shellWord).join(' ')}`);
  if (kept.note) console.log(`\n${kept.note}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await kept.close();
  console.log('\nStopped the local stack.');
  return true;
}

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
  let kept: { stack: LocalStack; demo: DemoApp } | undefined;
  for (const [index, name] of options.names.entries()) {
    if (live) console.log(`\n▶ ${name}: ${scenarios[name]?.description}\n`);
    const startedAt = performance.now();
    // One stack at a time runs in a process: only the last scenario's can stay up.
    const handOver = options.keep && index === options.names.length - 1 ? (stack: LocalStack, demo: DemoApp) => (kept = { stack, demo }) : undefined;
    const report = await runScenario(name, {
      provider: options.provider,
      seed: options.seed,
      requestsPerSecond: options.requestsPerSecond,
      onTimeline: live ? (entry) => console.log(formatTimelineEntry(entry)) : undefined,
      handOver,
    });
    reports.push(report);
    if (live) console.log(`\n${formatSummary(report, performance.now() - startedAt)}`);
    if (options.svg) writeFileSync(options.all ? join(options.svg, `${name}.svg`) : options.svg, timelineSvg(report));
  }
  const json = `${JSON.stringify(options.all ? reports : reports[0], null, 2)}\n`;
  if (options.json === '-') process.stdout.write(json);
  else if (options.json) writeFileSync(options.json, json);
  const asExpected = reports.every((report) => report.outcome === report.expected);
  if (kept && !(await keepUntilInterrupted(kept.stack, kept.demo, options, reports.at(-1)?.rolloutId ?? ''))) return 1;
  return asExpected ? 0 : 1;
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
