import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { reconcilePeriodSeconds } from './local-stack';
import { trafficProviders, type TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { type Cell, describeFault, faultsOf, matrixScenarios, runCell } from './fault-matrix';
import { mergePermissions, type PermissionsByProvider, permissionsOfCleanRuns } from './recorded-permissions';

const permissionsFile = 'docs/permissions-used.json';
const permissionsPath = join(__dirname, '..', permissionsFile);

const usage = `Usage: npm run faults -- [--provider ${trafficProviders.join('|')}] [--scenario NAME] [--output FILE]

Runs every scenario of the fault matrix (${matrixScenarios.join(', ')}) once per fault, on every
traffic provider (${trafficProviders.join(', ')}) unless --provider names one: each AWS call site
with each fault, each function dying for 15 minutes, the execution stopped or timed out in each
state. Writes docs/RELIABILITY.md and ends with "faults: N cells, M unsafe".

It also records every AWS action and resource each function used, per provider. The whole
matrix, with every local scenario, a manual rollout and a superseded one run once more without
faults, writes ${permissionsFile}, which the least-privilege test holds template.yaml to; a
partial run fails if a function used anything not in it.`;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function report(cells: Cell[]): string {
  const unsafe = cells.filter((cell) => !cell.safe);
  const kinds = [...new Set(cells.map((cell) => (cell.fault.kind === 'call' ? cell.fault.fault : cell.fault.kind)))];
  const byKind = kinds.map((kind) => {
    const of = cells.filter((cell) => (cell.fault.kind === 'call' ? cell.fault.fault : cell.fault.kind) === kind);
    return [kind, String(of.length), String(of.filter((cell) => cell.safe).length), String(of.length - of.filter((cell) => cell.safe).length), String(of.filter((cell) => cell.paged.length > 0).length)];
  });
  const providers = [...new Set(cells.map((cell) => cell.provider))];
  const byScenario = providers.flatMap((provider) =>
    matrixScenarios.map((scenario) => {
      const of = cells.filter((cell) => cell.provider === provider && cell.scenario === scenario);
      return [provider, scenario, String(of.length), String(of.filter((cell) => !cell.safe).length)];
    }),
  );
  return [
    '# meshshift reliability: the fault matrix',
    '',
    `Written by \`npm run faults\`. Each cell runs one scenario on the local stack (the real state machine, handlers, reconciler and registry, on the simulated clock) on one traffic provider (${providers.join(' or ')}) with one fault injected, keeps it running until ${reconcilePeriodSeconds} s (one reconcile period) plus 30 s after the fault cleared, and then checks the end: the route exactly as it was or fully on the canary, no active rollout, no lease held, no execution running. A cell that is not safe by then would need a person. "Paged" counts cells in which one of meshshift's alarms would have fired on the way (a failed execution, a dead-lettered event, a rollout the reconciler could not finish yet): informational, since a safe end may still page.`,
    '',
    `**${cells.length} cells, ${unsafe.length} unsafe.**`,
    '',
    table(['Fault', 'Cells', 'Safe', 'Unsafe', 'Paged on the way'], byKind),
    '',
    table(['Provider', 'Scenario', 'Cells', 'Unsafe'], byScenario),
    '',
    ...(unsafe.length
      ? ['## Unsafe cells', '', table(['Provider', 'Scenario', 'Fault', 'Outcome', 'Final route', 'Left over'], unsafe.map((cell) => [cell.provider, cell.scenario, describeFault(cell.fault), cell.outcome, cell.finalRoute.map((target) => `${target.virtualNode} ${target.weight}`).join(' / '), JSON.stringify(cell.endState)])), '']
      : []),
    '## Every cell',
    '',
    table(['Provider', 'Scenario', 'Fault', 'End', 'Safe', 'Paged'], cells.map((cell) => [cell.provider, cell.scenario, describeFault(cell.fault), cell.outcome, cell.safe ? 'yes' : '**no**', cell.paged.join('; ') || '—'])),
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ options: { provider: { type: 'string' }, scenario: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const scenarios = values.scenario ? [values.scenario] : [...matrixScenarios];
  if (!scenarios.every((scenario) => (matrixScenarios as readonly string[]).includes(scenario))) {
    console.error(`--scenario must be one of ${matrixScenarios.join(', ')}\n\n${usage}`);
    return 2;
  }
  if (values.provider !== undefined && !(trafficProviders as readonly string[]).includes(values.provider)) {
    console.error(`--provider must be one of ${trafficProviders.join(', ')}\n\n${usage}`);
    return 2;
  }
  const providers = values.provider ? [values.provider as TrafficProviderName] : [...trafficProviders];
  const cells: Cell[] = [];
  const recorded = {} as PermissionsByProvider;
  for (const provider of providers) {
    for (const scenario of scenarios) {
      const faults = await faultsOf(scenario, provider);
      process.stderr.write(`${provider} ${scenario}: ${faults.length} faults\n`);
      for (const [index, fault] of faults.entries()) {
        const cell = await runCell(scenario, fault, provider);
        cells.push(cell);
        recorded[provider] = mergePermissions(recorded[provider] ?? {}, cell.permissions);
        if (!cell.safe) process.stderr.write(`  UNSAFE ${describeFault(fault)}: ${cell.outcome}\n`);
        if ((index + 1) % 50 === 0) process.stderr.write(`  ${index + 1}/${faults.length}\n`);
      }
    }
  }
  writeFileSync(values.output ?? join(__dirname, '..', 'docs', 'RELIABILITY.md'), report(cells));
  const unsafe = cells.filter((cell) => !cell.safe).length;
  console.log(`faults: ${cells.length} cells, ${unsafe} unsafe`);
  if (!values.scenario && !values.provider) {
    for (const provider of providers) recorded[provider] = mergePermissions(recorded[provider], await permissionsOfCleanRuns(provider));
    writeFileSync(permissionsPath, `${JSON.stringify(recorded, null, 2)}\n`);
    return unsafe === 0 ? 0 : 1;
  }
  const known = JSON.parse(readFileSync(permissionsPath, 'utf8')) as Partial<PermissionsByProvider>;
  const unknown = providers.flatMap((provider) =>
    Object.entries(recorded[provider] ?? {}).flatMap(([caller, uses]) => uses.filter((use) => !known[provider]?.[caller]?.includes(use)).map((use) => `${provider} ${caller} ${use}`)),
  );
  for (const use of unknown) console.error(`not in ${permissionsFile}: ${use}`);
  if (unknown.length) console.error(`Run npm run faults (the whole matrix) to record them, and grant them in template.yaml if they are meant.`);
  return unsafe === 0 && unknown.length === 0 ? 0 : 1;
}

// Never process.exit: it would drop whatever a pipe has not taken yet.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
