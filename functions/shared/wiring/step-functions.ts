import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsOrchestrator } from '../adapters/step-functions-orchestrator';
import { requireEnv } from '../config';

/** Built at load, for functions that call Step Functions on most invocations; the others take it from ./on-first-use. */
export const orchestrator = new StepFunctionsOrchestrator(new SFNClient({}), requireEnv('STATE_MACHINE_ARN'));
