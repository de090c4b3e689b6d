import type { TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { colorApp } from './color-app';
import { type DemoApp, seedDemoApp } from './demo-app';
import { LocalStack, teamFunctionCaller } from './local-stack';
import { runScenario, scenarios } from './scenarios';
// After the local stack, which sets the environment the wiring reads at load.
import { requestPause, requestResume } from '../functions/shared/use-cases/operator-request';
import { orchestrator } from '../functions/shared/wiring/step-functions';

/** Per function (template logical id): every "service:Action resource-ARN" it used, sorted. */
export type PermissionsUsed = Record<string, string[]>;

/** IAM's prefix for each simulated service. */
const iamPrefix: Record<string, string> = { appmesh: 'appmesh', 'vpc-lattice': 'vpc-lattice', ecs: 'ecs', cloudwatch: 'cloudwatch', ssm: 'ssm', sfn: 'states', dynamodb: 'dynamodb', events: 'events', lambda: 'lambda' };

/** Operations IAM authorises under another action's name: BatchUpdateRule "Required permissions: vpc-lattice:UpdateRule". */
const iamActionOf: Record<string, Record<string, string>> = { 'vpc-lattice': { BatchUpdateRule: 'UpdateRule' }, lambda: { Invoke: 'InvokeFunction' } };

/** What the recorder reads of a stack: the simulator's calls and the stack's own SDK calls. */
export type RecordedStack = Pick<LocalStack, 'sim' | 'sdkCalls'>;

type Input = Record<string, unknown>;
const text = (value: unknown) => String(value ?? '');

/**
 * The resources one call acts on, as IAM's service authorization reference names them, so a
 * recorded call can be held against template.yaml's Resource patterns.
 */
function resourcesOf(stack: RecordedStack, service: string, operation: string, input: Input): string[] {
  const arn = (iamService: string, resource: string) => `arn:aws:${iamService}:${stack.sim.region}:${stack.sim.accountId}:${resource}`;
  const mesh = () => `mesh/${text(input.meshName)}`;
  switch (service) {
    case 'vpc-lattice':
      return latticeResourcesOf(operation, input, (resource) => arn('vpc-lattice', resource));
    case 'appmesh':
      if (input.resourceArn) return [text(input.resourceArn)];
      if (input.routeName) return [arn('appmesh', `${mesh()}/virtualRouter/${text(input.virtualRouterName)}/route/${text(input.routeName)}`)];
      if (input.virtualNodeName) return [arn('appmesh', `${mesh()}/virtualNode/${text(input.virtualNodeName)}`)];
      return [arn('appmesh', mesh())];
    case 'ecs': {
      if (operation === 'DescribeTaskDefinition') return ['*'];
      if (input.resourceArn) return [text(input.resourceArn)];
      const cluster = text(input.cluster).split('/').pop();
      const services = (input.services as string[] | undefined) ?? [text(input.service)];
      return services.map((name) => arn('ecs', `service/${cluster}/${name.split('/').pop()}`));
    }
    case 'cloudwatch':
      return ((input.AlarmNames as string[] | undefined) ?? []).map((name) => arn('cloudwatch', `alarm:${name}`));
    case 'ssm':
      return [arn('ssm', `parameter${text(input.Name)}`)];
    case 'sfn':
      // Task tokens are authorised against the state machine that issued them.
      if (input.executionArn) return [text(input.executionArn)];
      return [text(input.stateMachineArn) || text(process.env.STATE_MACHINE_ARN)];
    case 'events':
      return [...new Set(((input.Entries as Input[] | undefined) ?? []).map((entry) => arn('events', `event-bus/${text(entry.EventBusName) || 'default'}`)))];
    case 'lambda':
      return [arn('lambda', `function:${text(input.FunctionName)}`)];
    case 'dynamodb': {
      const table = arn('dynamodb', `table/${text(input.TableName)}`);
      return [input.IndexName ? `${table}/index/${text(input.IndexName)}` : table];
    }
    default:
      throw new Error(`No IAM resource mapping for ${service}:${operation}`);
  }
}

/**
 * Lattice names a resource by id or by ARN; IAM always by ARN, a listener's and a rule's under
 * their service's (service/svc-…/listener/listener-…/rule/rule-…), a target group on its own
 * (targetgroup/tg-…). The List actions give no resource to scope to, so they stand for '*'.
 */
function latticeResourcesOf(operation: string, input: Input, arn: (resource: string) => string): string[] {
  const under = (parent: string, kind: string, identifier: unknown) => (text(identifier).startsWith('arn:') ? text(identifier) : `${parent}/${kind}/${text(identifier)}`);
  const service = text(input.serviceIdentifier).startsWith('arn:') ? text(input.serviceIdentifier) : arn(`service/${text(input.serviceIdentifier)}`);
  const listener = under(service, 'listener', input.listenerIdentifier);
  if (input.resourceArn) return [text(input.resourceArn)];
  if (input.targetGroupIdentifier) return [text(input.targetGroupIdentifier).startsWith('arn:') ? text(input.targetGroupIdentifier) : arn(`targetgroup/${text(input.targetGroupIdentifier)}`)];
  if (operation === 'ListListeners' || operation === 'ListRules') return ['*'];
  if (operation === 'BatchUpdateRule') return ((input.rules as Input[] | undefined) ?? []).map((rule) => under(listener, 'rule', rule.ruleIdentifier));
  if (input.ruleIdentifier) return [under(listener, 'rule', input.ruleIdentifier)];
  if (input.listenerIdentifier) return [listener];
  return [service];
}

/** What each function of the stack called, with the resources, from the simulator's and the stack's call logs. */
export function permissionsUsed(stack: RecordedStack): PermissionsUsed {
  const calls = [...stack.sim.calls.map((call) => ({ ...call, input: call.input as Input })), ...stack.sdkCalls];
  const used: Record<string, Set<string>> = {};
  for (const call of calls) {
    if (!call.caller || call.caller === 'harness' || call.caller.startsWith(teamFunctionCaller)) continue;
    const action = `${iamPrefix[call.service] ?? call.service}:${iamActionOf[call.service]?.[call.operation] ?? call.operation}`;
    for (const resource of resourcesOf(stack, call.service, call.operation, call.input)) (used[call.caller] ??= new Set()).add(`${action} ${resource}`);
  }
  return Object.fromEntries(Object.entries(used).map(([caller, set]) => [caller, [...set].sort()]));
}

/** The union of two records. */
export function mergePermissions(a: PermissionsUsed, b: PermissionsUsed): PermissionsUsed {
  const merged: PermissionsUsed = {};
  for (const caller of new Set([...Object.keys(a), ...Object.keys(b)])) merged[caller] = [...new Set([...(a[caller] ?? []), ...(b[caller] ?? [])])].sort();
  return Object.fromEntries(Object.entries(merged).sort(([x], [y]) => x.localeCompare(y)));
}

/** Per provider: what each function used in a stack whose traffic runs on it. */
export type PermissionsByProvider = Record<TrafficProviderName, PermissionsUsed>;

/**
 * What every function calls on the local stack's paths without faults, on one provider: every
 * scenario, plus the two paths no scenario takes (a manual rollout that deploys its task
 * definition, and a newer deployment superseding a rollout at its first step).
 */
export async function permissionsOfCleanRuns(provider: TrafficProviderName): Promise<PermissionsUsed> {
  let all: PermissionsUsed = {};
  const record = (stack: LocalStack) => (all = mergePermissions(all, permissionsUsed(stack)));
  for (const name of Object.keys(scenarios)) await runScenario(name, { provider, inspect: record });
  await runScenario('healthy', {
    provider,
    prepare: (stack, demo) => {
      let deployed = false;
      stack.sim.onCall((call) => {
        if (deployed || !demo.writtenTargets(call)) return;
        deployed = true;
        stack.clock.setTimeout(() => void demo.registerCanaryTaskDefinition().then((taskDefinition) => stack.deploy(taskDefinition)), 1000);
      });
    },
    inspect: record,
  });
  await manualRollout(provider, record);
  await runScenario('healthy', { provider, prepare: (stack, demo) => pauseAndResumeAtFirstStep(stack, demo), inspect: record });
  return all;
}

/** An operator pauses the rollout once its first step is written and resumes it a minute after it parked. */
function pauseAndResumeAtFirstStep(stack: LocalStack, demo: DemoApp): void {
  let asked = false;
  stack.sim.onCall((call) => {
    if (asked || !demo.writtenTargets(call)) return;
    asked = true;
    stack.clock.setTimeout(() => {
      void (async () => {
        const operator = { registry: stack.registry, orchestrator };
        const [rollout] = await stack.registry.activeRollouts();
        if (!rollout) return;
        await requestPause(rollout.rolloutId, operator);
        while (!(await stack.registry.getRollout(rollout.rolloutId))?.pause) await stack.clock.sleep(1000);
        await stack.clock.sleep(60_000);
        await requestResume(rollout.rolloutId, operator);
      })();
    }, 1000);
  });
}

async function manualRollout(provider: TrafficProviderName, record: (stack: LocalStack) => void): Promise<void> {
  const stack = await LocalStack.start();
  try {
    const demo = await seedDemoApp(stack.sim, provider);
    const taskDefinition = await demo.registerCanaryTaskDefinition();
    const name = 'manual-colorteller';
    const input = { cluster: colorApp.cluster, service: colorApp.canaryService, taskDefinition };
    await stack.stepFunctions.send({ constructor: { name: 'StartExecutionCommand' }, input: { name, input: JSON.stringify(input) } });
    while ((await stack.registry.getRollout(name))?.phase !== 'WAITING_FOR_CANARY') await stack.clock.sleep(1000);
    await stack.settled();
    const deployment = stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.deployments?.find((candidate) => candidate.status === 'PRIMARY');
    stack.sim.ecs.completeDeployment(deployment?.id ?? '');
    await stack.waitForExecution(name);
    record(stack);
  } finally {
    await stack.stop();
  }
}
