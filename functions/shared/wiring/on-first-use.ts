/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function is what keeps a module out of init: esbuild leaves it there, and the SDK stays external */
import { requireEnv } from '../config';
import { onFirstUse } from './built-on-first-use';
import type { LifecycleHookInvoker } from '../ports/lifecycle-hooks';
import type { Orchestrator } from '../ports/orchestrator';
import type { PolicyStore } from '../ports/policy-store';
import type { ServiceDeployer } from '../ports/service-deployer';
import type { TrafficRouter } from '../ports/traffic-router';

// The wiring modules below are the ones functions with these clients on their critical path
// import at init; requiring them here shares one client per process whichever way it came.

/** ECS for functions that need it only on rare paths (canary cleanup after a rollback). */
export const serviceDeployer = onFirstUse<ServiceDeployer>(() => (require('./ecs') as typeof import('./ecs')).serviceDeployer);

// Checked at init all the same, so a function missing the setting still fails on its first start.
requireEnv('STATE_MACHINE_ARN');

/** Step Functions for functions that rarely call it (stopping an execution, ending a wait early). */
export const orchestrator = onFirstUse<Orchestrator>(() => (require('./step-functions') as typeof import('./step-functions')).orchestrator);

/** Routes for Check health, which reads them back only on providers that apply weights late (Lattice). */
export const trafficRouter = onFirstUse<TrafficRouter>(() => (require('./traffic-router') as typeof import('./traffic-router')).trafficRouter);

/** SSM for Prepare rollout, which skips it when the request carries its policy inline. */
export const policyStore = onFirstUse<PolicyStore>(() => (require('./ssm') as typeof import('./ssm')).policyStore);

/** The teams' hook functions, asked by Run hook and told after a rollback by whichever function performs it. */
export const lifecycleHooks = onFirstUse<LifecycleHookInvoker>(() => (require('./lambda') as typeof import('./lambda')).lifecycleHooks);
