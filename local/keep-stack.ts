import { colorApp } from './color-app';
import { DataPlane } from './data-plane';
import type { DemoApp } from './demo-app';
import { type LocalEndpoint, serveLocalEndpoint } from './local-endpoint';
import { type LocalStack, localStateMachineArn } from './local-stack';
import type { PaceSource } from './virtual-clock';

/** ECS brings a kept stack's new tasks up this long after a deployment starts, as in the healthy scenario. */
const deploymentSeconds = 30;
/** The name the printed start command gives its rollout, so every later command can name it. */
export const manualRolloutId = 'manual-colorteller-1';

/**
 * The one place real time enters the local stack: once a kept stack's scenarios have ended, its
 * simulated clock moves `speed` simulated seconds per real second, so a rollout started over the
 * endpoint moves while a person watches. Everything before (every report) stays on simulated
 * time alone.
 */
export function realTimePace(speed: number): PaceSource {
  return (advance) => {
    const startedAt = performance.now();
    let allowed = 0;
    const ticker = setInterval(() => {
      const due = Math.floor((performance.now() - startedAt) * speed);
      advance(due - allowed);
      allowed = due;
    }, 100);
    return () => clearInterval(ticker);
  };
}

export interface KeepOptions {
  /** 0 for any free port. */
  port: number;
  /** What moves the clock from now on: `realTimePace`, or a test's own. */
  pace: PaceSource;
  requestsPerSecond: number;
  /** The scenario's rollout, for the describe command. */
  rolloutId: string;
}

export interface TryCommand {
  /** What it shows, in a few words. */
  what: string;
  /** The CLI's arguments, endpoint and deployment flags included. */
  argv: string[];
}

export interface KeptStack {
  endpoint: LocalEndpoint;
  /** The commands to try, in the order that tells a rollout's story. */
  commands: TryCommand[];
  /** Why no rollout can be tried here, when none can. */
  note?: string;
  /** Stops the pace, the traffic and the endpoint, and halts the stack: whatever runs is dropped. */
  close(): Promise<void>;
}

/** ECS finishing every deployment on its own, as a CI pipeline's deployments do: nobody is there to complete them by hand. */
function completeDeployments(stack: LocalStack): void {
  stack.sim.onEvent((event) => {
    const detail = event.detail as { eventName?: string; deploymentId?: string };
    if (event['detail-type'] !== 'ECS Deployment State Change' || detail.eventName !== 'SERVICE_DEPLOYMENT_IN_PROGRESS') return;
    const [cluster = '', service = ''] = (event.resources[0] ?? '').split('/').slice(-2);
    stack.clock.setTimeout(() => {
      const deployment = stack.sim.ecs.service(cluster, service)?.deployments?.find((candidate) => candidate.id === detail.deploymentId);
      // A newer deployment took over, or it failed meanwhile: ECS would not complete it either.
      if (deployment?.status === 'PRIMARY' && deployment.rolloutState === 'IN_PROGRESS') stack.sim.ecs.completeDeployment(deployment.id ?? '');
    }, deploymentSeconds * 1000);
  });
}

/**
 * Keeps a scenario's stack up for a person: one loopback endpoint the CLI reaches it on, ECS
 * finishing deployments, traffic through the route (every version healthy, so a watched alarm
 * clears once the bad version no longer serves), and the clock paced from now on. Returns the
 * commands to try, ready to run.
 */
export async function keepStack(stack: LocalStack, demo: DemoApp, options: KeepOptions): Promise<KeptStack> {
  const taskDefinition = await demo.registerCanaryTaskDefinition();
  const endpoint = await serveLocalEndpoint(stack, options.port);
  completeDeployments(stack);
  const traffic = new DataPlane(stack.sim, stack.clock, { ...demo.trafficRoutes, requestsPerSecond: options.requestsPerSecond, profiles: {} });
  traffic.start();
  const stopPacing = stack.clock.pace(options.pace);

  const deployment = ['--endpoint-url', endpoint.url, '--table', process.env.REGISTRY_TABLE_NAME ?? '', '--state-machine-arn', localStateMachineArn];
  const command = (what: string, ...argv: string[]): TryCommand => ({ what, argv: [...argv, ...deployment] });
  const inspect = [command('every rollout, the scenario’s among them', 'list', '--all'), command('the scenario’s rollout step by step', 'describe', options.rolloutId)];
  const rollout = [
    command('a manual rollout of a new version the demo app registered', 'start', '--cluster', colorApp.cluster, '--service', colorApp.canaryService, '--task-definition', taskDefinition, '--name', manualRolloutId),
    command('follow it as it moves (in another terminal)', 'status', '--watch'),
    command('hold it once the bake in progress ends', 'pause', manualRolloutId),
    command('go on from the pause', 'resume', manualRolloutId),
    command('move on to the next step now', 'promote', manualRolloutId),
    command('roll it back now', 'abort', manualRolloutId),
  ];
  // On Lattice every version of the service registers into one target group: once promoted, the
  // route has nothing left to shift from, and the next rollout would deploy the other service.
  const canary = demo.canaryBackendOf(taskDefinition);
  const shiftable = demo.routeTargets().some((target) => target.weight > 0 && target.virtualNode !== canary);
  return {
    endpoint,
    commands: shiftable ? [...inspect, ...rollout] : inspect,
    note: shiftable
      ? undefined
      : `The route already sends all its traffic to ${demo.nameOf(canary)}, where a new version of ${colorApp.canaryService} goes: the next rollout would deploy ${colorApp.stableService} with the policy turned around, which the demo app does not lay out. To try a rollout, keep a scenario that leaves the route on ${colorApp.stableService}, such as --scenario deployment-fails.`,
    close: async () => {
      stopPacing();
      traffic.stop();
      await endpoint.close();
      await stack.halt();
    },
  };
}
