import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { DynamoDbRegistry, registryTableDefinition } from '../functions/shared/adapters/dynamodb-registry';
import { routeKey } from '../functions/shared/domain/route-key';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import type { RolloutRecord } from '../functions/shared/ports/registry';
import { functionEnvironment, type NodeRuntime, root, type Spread, spreadOf } from './fresh-process';

const execFileAsync = promisify(execFile);

interface Mark {
  cpuMs: number;
  wallMs: number;
}

interface ChildReport {
  marks: { beforeRequire: Mark; initialised: Mark; restoringUpdateRoute?: Mark; handled: Mark };
  result: { rolledBack: string[] };
  restoredTargets: WeightedTarget[];
  calls: string[];
  clientsLoaded: Array<{ client: string; beforeRouteWasSafe: boolean }>;
}

/** One figure of the path, as CPU time and wall time. */
export interface CpuAndWall {
  cpuMs: Spread;
  wallMs: Spread;
}

export interface AlarmColdPathRuntime {
  version: string;
  /** Process start to the line before the require: Node's own start (Lambda's runtime has its own). */
  nodeStart: CpuAndWall;
  /** The require of the deployed bundle. */
  init: CpuAndWall;
  /** From the handler's call to the restoring UpdateRoute being sent. */
  handlerToSafe: CpuAndWall;
  /** Init plus handler to safe: the require to the restoring UpdateRoute. */
  total: CpuAndWall;
  /** Process start to the restoring UpdateRoute, Node's own start included. */
  fromProcessStart: CpuAndWall;
  /** The rest of the handler once the route is safe: canary cleanup, StopExecution, the registry. */
  afterSafe: CpuAndWall;
}

export interface AlarmColdPathResult {
  samples: number;
  runtimes: AlarmColdPathRuntime[];
  /** AWS calls before the route was safe, in order (the registry's go to dynalite and are not listed). */
  callsToSafe: string[];
  /** Simulated SDK clients (App Mesh, ECS, Step Functions) loaded before the route was safe, in any sample. */
  clientsLoadedBeforeSafe: string[];
  /** The same, loaded after it. */
  clientsLoadedAfterSafe: string[];
}

const tableName = functionEnvironment.REGISTRY_TABLE_NAME as string;
const bundle = join(root, 'dist', 'handle-alarm-event', 'handler.js');
const childScript = join(__dirname, 'alarm-cold-path-child.cjs');

const mesh = 'colorapp';
const virtualRouter = 'colorteller-vr';
const route = 'colorteller-route';
const stableNode = 'colorteller-blue-vn';
const canaryNode = 'colorteller-v2-vn';
const original: WeightedTarget[] = [{ virtualNode: stableNode, weight: 100, port: 9080 }];
const shifted: WeightedTarget[] = [
  { virtualNode: stableNode, weight: 75, port: 9080 },
  { virtualNode: canaryNode, weight: 25, port: 9080 },
];

/** A rollout at its second step, whose canary node meshshift created: the alarm path's usual case. */
function shiftingRollout(rolloutId: string, alarm: string): RolloutRecord {
  return {
    rolloutId,
    executionArn: `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${rolloutId}`,
    phase: 'SHIFTING',
    mesh,
    virtualRouter,
    routes: [route],
    cluster: functionEnvironment.CLUSTER_NAME as string,
    service: 'colorteller',
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:2',
    deploymentId: `ecs-svc/${rolloutId}`,
    startedAt: new Date().toISOString(),
    canaryNode,
    canaryNodeCreated: true,
    stableNode,
    alarms: [alarm],
    originalTargets: { [route]: original },
    lastWrittenTargets: { [route]: shifted },
    stepIndex: 1,
    canaryWeight: 25,
    rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    updatedAt: new Date().toISOString(),
  };
}

function alarmEvent(alarmName: string): unknown {
  const event = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'events', 'cloudwatch-alarm-to-alarm.json'), 'utf8'));
  event.detail.alarmName = alarmName;
  event.resources = [`arn:aws:cloudwatch:us-west-2:111122223333:alarm:${alarmName}`];
  return event;
}

function between(from: Mark, to: Mark): Mark {
  return { cpuMs: to.cpuMs - from.cpuMs, wallMs: to.wallMs - from.wallMs };
}

function summarise(marks: Mark[]): CpuAndWall {
  return { cpuMs: spreadOf(marks.map((mark) => mark.cpuMs)), wallMs: spreadOf(marks.map((mark) => mark.wallMs)) };
}

function clientsLoaded(reports: ChildReport[], beforeRouteWasSafe: boolean): string[] {
  return [...new Set(reports.flatMap((report) => report.clientsLoaded.filter((loaded) => loaded.beforeRouteWasSafe === beforeRouteWasSafe).map((loaded) => loaded.client)))];
}

/**
 * The alarm handler's cold time-to-safe: per sample, a fresh process loads the deployed bundle
 * and handles an ALARM event for a shifting rollout, timed from process start and from before
 * the require to the moment the restoring UpdateRoute is sent. The registry is dynalite on
 * loopback, in this process: its answers count in the child's wall time, not its CPU time.
 */
export async function measureAlarmColdPath(runtimes: NodeRuntime[], samples: number): Promise<AlarmColdPathResult> {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    await client.send(new CreateTableCommand({ TableName: tableName, ...structuredClone(registryTableDefinition) } as never));
    const registry = new DynamoDbRegistry(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName);
    const environment = { ...functionEnvironment, AWS_ENDPOINT_URL_DYNAMODB: endpoint };

    const coldPath = async (runtime: NodeRuntime, rolloutId: string): Promise<ChildReport> => {
      const alarm = `${rolloutId}-5xx`;
      const record = shiftingRollout(rolloutId, alarm);
      await registry.createRollout(record);
      await registry.acquireRoute({ routeKey: routeKey(record, route), rolloutId, startedAt: record.startedAt });
      const scenario = { event: alarmEvent(alarm), route, shiftedTargets: shifted, servicesOfNodes: { [stableNode]: 'colorteller-blue', [canaryNode]: record.service } };
      const { stdout } = await execFileAsync(runtime.path, [childScript, bundle, JSON.stringify(scenario)], { cwd: root, env: environment, maxBuffer: 16 * 1024 * 1024 });
      // Last line: the handler's log and metric lines come before it, as Lambda would ship them.
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildReport;
      const phase = (await registry.getRollout(rolloutId))?.phase;
      if (!report.marks.restoringUpdateRoute || !isDeepStrictEqual(report.restoredTargets, original) || !isDeepStrictEqual(report.result.rolledBack, [rolloutId]) || phase !== 'ROLLED_BACK') {
        throw new Error(`The alarm handler on ${runtime.version} did not roll ${rolloutId} back (phase ${phase}): ${stdout}`);
      }
      return report;
    };

    // One run per runtime unkept first, so every kept sample finds the files in the page cache.
    for (const runtime of runtimes) await coldPath(runtime, `warm-up-${runtime.version}`);
    const reports = new Map<string, ChildReport[]>(runtimes.map((runtime) => [runtime.version, []]));
    for (let round = 0; round < samples; round += 1) {
      for (const runtime of runtimes) reports.get(runtime.version)?.push(await coldPath(runtime, `bench-${runtime.version}-${round}`));
      process.stderr.write(`  cold start: alarm path round ${round + 1}/${samples}\n`);
    }

    const all = [...reports.values()].flat();
    const first = all[0] as ChildReport;
    const callsToSafe = first.calls.slice(0, first.calls.indexOf('UpdateRouteCommand') + 1).map((name) => name.replace(/Command$/, ''));
    return {
      samples,
      runtimes: runtimes.map((runtime): AlarmColdPathRuntime => {
        const marks = (reports.get(runtime.version) ?? []).map((report) => report.marks as Required<ChildReport['marks']>);
        const start: Mark = { cpuMs: 0, wallMs: 0 };
        return {
          version: runtime.version,
          nodeStart: summarise(marks.map((mark) => between(start, mark.beforeRequire))),
          init: summarise(marks.map((mark) => between(mark.beforeRequire, mark.initialised))),
          handlerToSafe: summarise(marks.map((mark) => between(mark.initialised, mark.restoringUpdateRoute))),
          total: summarise(marks.map((mark) => between(mark.beforeRequire, mark.restoringUpdateRoute))),
          fromProcessStart: summarise(marks.map((mark) => between(start, mark.restoringUpdateRoute))),
          afterSafe: summarise(marks.map((mark) => between(mark.restoringUpdateRoute, mark.handled))),
        };
      }),
      callsToSafe,
      clientsLoadedBeforeSafe: clientsLoaded(all, true),
      clientsLoadedAfterSafe: clientsLoaded(all, false),
    };
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  }
}
