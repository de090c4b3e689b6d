import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsOrchestrator } from '../adapters/step-functions-orchestrator';
import { requireEnv } from '../config';

export const sfnClient = new SFNClient({});
export const orchestrator = new StepFunctionsOrchestrator(sfnClient, requireEnv('STATE_MACHINE_ARN'));
