import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { sameTargets } from '../functions/shared/domain/route-spec';
import type { TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { type CallFault, callFaults, type CallSite, mayConflict, siteName } from './fault-injector';
import { type LocalStack, reconcilePeriodSeconds } from './local-stack';
import { type PermissionsUsed, permissionsUsed } from './recorded-permissions';
import { canaryPercent, runScenario, type ScenarioReport } from './scenarios';

/** The scenarios whose paths the matrix covers: promotion, the alarm rollback, the state machine's own rollback. */
export const matrixScenarios = ['healthy', 'bad-canary', 'deployment-fails'] as const;

export type Fault =
  | { kind: 'call'; site: CallSite; fault: CallFault }
  | { kind: 'function dies on every attempt for 15 minutes'; functionId: string }
  | { kind: 'execution stopped by hand' | 'execution timed out'; state: string };

export interface Cell {
  provider: TrafficProviderName;
  scenario: string;
  fault: Fault;
  /**
   * One reconcile period (plus 30 s) after the fault cleared: the route exactly as it was, or
   * fully on the canary, and no active rollout, lease or running execution. Not safe by then
   * means a person would be needed.
   */
  safe: boolean;
  /** What would have paged a person on the way (informational: a safe end may still page). */
  paged: string[];
  outcome: string;
  finalRoute: WeightedTarget[];
  endState: ScenarioReport['endState'];
  /** What each function called on the way, for the least-privilege check. */
  permissions: PermissionsUsed;
}

const fifteenMinutes = 15 * 60;

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'call':
      return `${siteName(fault.site)}: ${fault.fault}`;
    case 'function dies on every attempt for 15 minutes':
      return `${fault.functionId} dies on every attempt for 15 minutes`;
    default:
      return `${fault.kind} in "${fault.state}"`;
  }
}

/**
 * The faults worth injecting into a scenario, from a clean run of it: every AWS call site on
 * its paths (the function, the service, the operation) with every fault a call can meet
 * (ConflictException where App Mesh returns it), every function it invokes dying for 15
 * minutes, and its execution stopped by hand or timed out in every state it enters.
 */
export async function faultsOf(scenario: string, provider: TrafficProviderName): Promise<Fault[]> {
  let sites: CallSite[] = [];
  let functions: string[] = [];
  const states: string[] = [];
  await runScenario(scenario, {
    provider,
    prepare: (stack) => {
      stack.stepFunctions.onEvent((_, event) => {
        if (event.type === 'StateEntered' && event.state && event.state.type !== 'Choice' && !states.includes(event.state.name)) states.push(event.state.name);
      });
    },
    runUntilSecond: (stack) => {
      sites = uniqueSites(stack);
      functions = [...new Set(sites.map((site) => site.caller))].sort();
      return 0;
    },
  });
  return [
    ...sites.flatMap((site) => callFaults.filter((fault) => fault !== 'conflict' || mayConflict(site)).map((fault): Fault => ({ kind: 'call', site, fault }))),
    ...functions.map((functionId): Fault => ({ kind: 'function dies on every attempt for 15 minutes', functionId })),
    ...states.flatMap((state): Fault[] => [
      { kind: 'execution stopped by hand', state },
      { kind: 'execution timed out', state },
    ]),
  ];
}

function uniqueSites(stack: LocalStack): CallSite[] {
  const all = [...stack.sim.calls.map((call) => ({ caller: call.caller, service: call.service, operation: call.operation })), ...stack.callSites];
  const seen = new Map<string, CallSite>();
  for (const site of all) if (site.caller) seen.set(siteName(site as CallSite), site as CallSite);
  return [...seen.values()].sort((a, b) => siteName(a).localeCompare(siteName(b)));
}

/** Runs one scenario with one fault and judges its end: safe, and safe within one reconcile period of the fault clearing. */
export async function runCell(scenario: string, fault: Fault, provider: TrafficProviderName): Promise<Cell> {
  let clearsAt = 0;
  let permissions: PermissionsUsed = {};
  const paged = new Set<string>();
  const report = await runScenario(scenario, {
    provider,
    prepare: (stack) => {
      arm(stack, fault, (second) => (clearsAt = Math.max(clearsAt, second)));
      stack.stepFunctions.onEnd((execution) => {
        if (execution.status === 'FAILED' || execution.status === 'TIMED_OUT') paged.add(`rollout execution ${execution.status}${execution.error ? ` (${execution.error})` : ''}`);
      });
    },
    runUntilSecond: (stack) => {
      const faultsClear = stack.seconds + (stack.faults.clearsAt() - stack.clock.now()) / 1000;
      return Math.max(clearsAt, faultsClear) + reconcilePeriodSeconds + 30;
    },
    inspect: (stack) => {
      permissions = permissionsUsed(stack);
      for (const delivery of stack.deliveries) {
        if (delivery.deadLettered) paged.add(`event dead-lettered (${delivery.target})`);
        const needAttention = (delivery.outcome as { needAttention?: unknown[] } | undefined)?.needAttention;
        if (needAttention?.length) paged.add('rollouts need attention');
      }
    },
  });
  const routeSafe = sameTargets(report.finalRoute, report.originalRoute) || canaryPercent(report.finalRoute, report.canaryBackend) === 100;
  const clean = report.endState.activeRollouts === 0 && report.endState.heldLeases === 0 && report.endState.runningExecutions === 0;
  return {
    provider,
    scenario,
    fault,
    safe: routeSafe && clean,
    paged: [...paged].sort(),
    outcome: `${report.outcome} (${report.executionStatus}${report.error ? `, ${report.error}` : ''})`,
    finalRoute: report.finalRoute,
    endState: report.endState,
    permissions,
  };
}

function arm(stack: LocalStack, fault: Fault, clearsAtSecond: (second: number) => void): void {
  switch (fault.kind) {
    case 'call':
      stack.faults.arm(fault.site, fault.fault);
      return;
    case 'function dies on every attempt for 15 minutes':
      stack.failInvocations(fault.functionId, fifteenMinutes);
      clearsAtSecond(stack.seconds + fifteenMinutes);
      return;
    default: {
      let done = false;
      stack.stepFunctions.onEvent((execution, event) => {
        if (done || event.type !== 'StateEntered' || event.state?.name !== fault.state) return;
        done = true;
        // A moment after the state began, as a person (or the timeout) would.
        stack.clock.setTimeout(() => {
          if (execution.status !== 'RUNNING') return;
          if (fault.kind === 'execution timed out') stack.stepFunctions.timeOut(execution.executionArn);
          else void stack.stepFunctions.send({ constructor: { name: 'StopExecutionCommand' }, input: { executionArn: execution.executionArn, error: 'Manual', cause: 'stopped in the console' } });
          clearsAtSecond(stack.seconds);
        }, 1);
      });
    }
  }
}
