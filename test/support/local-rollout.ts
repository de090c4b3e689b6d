import { colorApp, registerCanaryTaskDefinition, seedColorApp, type SeedOptions } from '../../local/color-app';
import { type DemoApp, type DemoSeedOptions, seedDemoApp } from '../../local/demo-app';
import { LocalStack, type LocalStackOptions } from '../../local/local-stack';
import type { SimulatedCall } from '../../local/simulated-aws';
import { executionNameForDeployment } from '../../functions/shared/domain/execution-name';
import type { WeightedTarget } from '../../functions/shared/domain/route-spec';
import type { TrafficProviderName } from '../../functions/shared/domain/traffic-provider';

/** The execution name a deployment of the canary service gets. */
export const executionName = (deploymentId: string) => executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);

/** A seeded local stack, and the execution name a deployment of the canary service gets. */
export async function startColorApp(seed: SeedOptions = {}, options: LocalStackOptions = {}) {
  const stack = await LocalStack.start(options);
  await seedColorApp(stack.sim, seed);
  const canaryTaskDefinition = await registerCanaryTaskDefinition(stack.sim);
  return { stack, canaryTaskDefinition, executionName };
}

export interface DemoStart {
  stack: LocalStack;
  demo: DemoApp;
  canaryTaskDefinition: string;
  executionName: (deploymentId: string) => string;
}

/** A local stack with the color app laid out on `provider`, and the canary's next task definition registered. */
export async function startDemo(provider: TrafficProviderName, seed: DemoSeedOptions = {}, options: LocalStackOptions = {}): Promise<DemoStart> {
  const stack = await LocalStack.start(options);
  const demo = await seedDemoApp(stack.sim, provider, seed);
  const canaryTaskDefinition = await demo.registerCanaryTaskDefinition();
  return { stack, demo, canaryTaskDefinition, executionName };
}

/** Every write of a route's weighted targets that took effect, in order. */
export function routeWrites(stack: LocalStack, demo: DemoApp, route?: string): WeightedTarget[][] {
  return stack.sim.calls.flatMap((call) => {
    const targets = demo.writtenTargets(call, route);
    return targets ? [targets] : [];
  });
}

/** What meshshift's functions did to backends, by operation: made or deleted one (App Mesh nodes; Lattice target groups). */
export function backendWrites(stack: LocalStack, demo: DemoApp): string[] {
  const made = stack.sim.calls.filter((call) => call.caller !== undefined && call.service === demo.service && call.outcome === 'ok');
  return made.filter((call) => /^(Create|Delete)/.test(call.operation)).map((call) => call.operation);
}

export function routeTargets(stack: LocalStack, route: string = colorApp.route) {
  return stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, route)?.spec?.httpRoute?.action?.weightedTargets;
}

/**
 * Polls on the stack's simulated clock (never the wall clock) until the rollout reaches `phase`.
 * The registry reads themselves take simulated time, so the clock moves while it waits.
 */
export async function waitForPhase(stack: LocalStack, rolloutId: string, phase: string): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if ((await stack.registry.getRollout(rolloutId))?.phase === phase) return;
    await stack.clock.sleep(100);
  }
  throw new Error(`Rollout ${rolloutId} never reached ${phase}`);
}

export interface HeldCall {
  /** Resolves with the call once it is held, before it takes effect. */
  reached: Promise<SimulatedCall>;
  /** Lets the held call take effect. */
  release(): void;
}

/**
 * Holds the first simulated AWS call that `matches` before it takes effect, so a test can
 * run other work in between and choose an interleaving instead of hoping for one.
 */
export function holdCall(stack: LocalStack, matches: (call: Omit<SimulatedCall, 'outcome'>) => boolean): HeldCall {
  let release!: () => void;
  let reached!: (call: SimulatedCall) => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: HeldCall = { reached: new Promise((resolve) => (reached = resolve)), release };
  let done = false;
  const stop = stack.sim.beforeCall(async (call) => {
    if (done || !matches(call)) return;
    done = true;
    stop();
    reached({ ...call, outcome: 'held' });
    await released;
  });
  return held;
}

export function statesEntered(execution: { events: Array<{ type: string; state?: { name: string } }> }): string[] {
  return execution.events.filter((event) => event.type === 'StateEntered').map((event) => event.state?.name ?? '');
}
