import { colorApp, defaultColorAppPolicy, registerCanaryTaskDefinition, seedColorApp } from '../local/color-app';
import { LocalStack } from '../local/local-stack';
import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { PolicyDocument } from '../functions/shared/domain/policy';
import { dollarsPerTransition } from '../functions/shared/domain/schedule';
import { registryDocumentClient } from '../functions/shared/wiring/registry';

export interface CostRow {
  schedule: string;
  steps: number;
  bakeSeconds: number;
  transitions: number;
  transitionsPerStep: number;
  lambdaInvocations: number;
  awsCalls: { meshAndEcs: number; registry: number; stepFunctions: number; total: number };
  dollarsPer1000: number;
  polling: { transitions: number; dollarsPer1000: number };
}

const pollEverySeconds = 10;

/** One healthy rollout on the local stack, counting what AWS would bill. */
async function measureOne(label: string, policy: PolicyDocument): Promise<CostRow> {
  const stack = await LocalStack.start();
  await seedColorApp(stack.sim, { policy });
  const taskDefinition = await registerCanaryTaskDefinition(stack.sim);
  const meshCallsBefore = stack.sim.calls.length;
  const counts = { registry: 0 };
  const registrySend = registryDocumentClient.send.bind(registryDocumentClient);
  registryDocumentClient.send = ((command: never) => {
    counts.registry += 1;
    return registrySend(command);
  }) as typeof registryDocumentClient.send;
  try {
    const deploymentId = await stack.deploy(taskDefinition);
    await stack.settled();
    stack.sim.ecs.completeDeployment(deploymentId);
    const execution = await stack.waitForExecution(executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId));
    await stack.settled();
    if (execution.status !== 'SUCCEEDED') throw new Error(`${label}: ${execution.status} ${execution.error}`);
    const transitions = execution.events.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried').length;
    const steps = execution.events.filter((event) => event.type === 'StateEntered' && event.state?.name === 'Shift traffic').length;
    const perStepStates = new Set(['Shift traffic', 'Bake', 'Check health', 'Is the canary ready for more traffic?']);
    const stepTransitions = execution.events.filter((event) => event.type === 'StateEntered' && perStepStates.has(event.state?.name ?? '')).length;
    const tasks = execution.events.filter((event) => event.type === 'StateEntered' && event.state?.type === 'Task').length;
    const rollout = execution.events.find((event) => event.type === 'StateExited' && event.state?.name === 'Prepare rollout') as { state?: { output?: { rollout?: { bakeSeconds?: number } } } } | undefined;
    const bakeSeconds = rollout?.state?.output?.rollout?.bakeSeconds ?? 0;
    // Polling instead of one Wait: every 10 s a Wait, a Check and a Choice, for the whole bake.
    const pollingTransitions = transitions + steps * 3 * (Math.max(1, Math.ceil(bakeSeconds / pollEverySeconds)) - 1);
    const meshAndEcs = stack.sim.calls.length - meshCallsBefore;
    return {
      schedule: label,
      steps,
      bakeSeconds,
      transitions,
      transitionsPerStep: stepTransitions / steps,
      lambdaInvocations: tasks + stack.deliveries.length,
      awsCalls: { meshAndEcs, registry: counts.registry, stepFunctions: stack.stepFunctions.calls.length, total: meshAndEcs + counts.registry + stack.stepFunctions.calls.length },
      dollarsPer1000: Math.round(transitions * dollarsPerTransition * 1000 * 1000) / 1000,
      polling: { transitions: pollingTransitions, dollarsPer1000: Math.round(pollingTransitions * dollarsPerTransition * 1000 * 1000) / 1000 },
    };
  } finally {
    registryDocumentClient.send = registrySend as typeof registryDocumentClient.send;
    await stack.stop();
  }
}

export async function measureCost(): Promise<CostRow[]> {
  return [
    await measureOne('4 steps [10, 25, 50, 100], 60 s bakes', { ...defaultColorAppPolicy, schedule: { type: 'steps', steps: [10, 25, 50, 100] }, bakeSeconds: 60 }),
    await measureOne('10 steps (Linear10PercentEvery1Minute)', { ...defaultColorAppPolicy, schedule: { type: 'preset', name: 'Linear10PercentEvery1Minute' } }),
    await measureOne('4 steps, 300 s bakes', { ...defaultColorAppPolicy, schedule: { type: 'steps', steps: [10, 25, 50, 100] }, bakeSeconds: 300 }),
  ];
}
