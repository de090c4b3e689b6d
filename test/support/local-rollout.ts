import { colorApp, registerCanaryTaskDefinition, seedColorApp, type SeedOptions } from '../../local/color-app';
import { LocalStack, type LocalStackOptions } from '../../local/local-stack';
import { executionNameForDeployment } from '../../functions/shared/domain/execution-name';

/** A seeded local stack, and the execution name a deployment of the canary service gets. */
export async function startColorApp(seed: SeedOptions = {}, options: LocalStackOptions = {}) {
  const stack = await LocalStack.start(options);
  await seedColorApp(stack.sim, seed);
  const canaryTaskDefinition = await registerCanaryTaskDefinition(stack.sim);
  return { stack, canaryTaskDefinition, executionName: (deploymentId: string) => executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId) };
}

export function routeTargets(stack: LocalStack, route: string = colorApp.route) {
  return stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, route)?.spec?.httpRoute?.action?.weightedTargets;
}

export function statesEntered(execution: { events: Array<{ type: string; state?: { name: string } }> }): string[] {
  return execution.events.filter((event) => event.type === 'StateEntered').map((event) => event.state?.name ?? '');
}
