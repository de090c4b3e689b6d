// What the template must contain: the functions and the state each one backs. What each function
// may call is not written here: test/template/least-privilege.test.ts measures it.

export interface StateMachineFunction {
  folder: string;
  logicalId: string;
  /** The Task state that invokes it ("Shift traffic" <-> functions/shift-traffic/). */
  state: string;
}

export const STATE_MACHINE_FUNCTIONS: StateMachineFunction[] = [
  { folder: 'prepare-rollout', logicalId: 'PrepareRolloutFunction', state: 'Prepare rollout' },
  { folder: 'ensure-canary-node', logicalId: 'EnsureCanaryNodeFunction', state: 'Ensure canary node' },
  { folder: 'deploy-canary', logicalId: 'DeployCanaryFunction', state: 'Deploy canary' },
  { folder: 'wait-for-canary-tasks', logicalId: 'WaitForCanaryTasksFunction', state: 'Wait for canary tasks' },
  { folder: 'pause-rollout', logicalId: 'PauseRolloutFunction', state: 'Pause rollout' },
  { folder: 'run-hook', logicalId: 'RunHookFunction', state: 'Run hook' },
  { folder: 'shift-traffic', logicalId: 'ShiftTrafficFunction', state: 'Shift traffic' },
  { folder: 'check-health', logicalId: 'CheckHealthFunction', state: 'Check health' },
  { folder: 'promote-canary', logicalId: 'PromoteCanaryFunction', state: 'Promote canary' },
  { folder: 'retire-stable', logicalId: 'RetireStableFunction', state: 'Retire stable' },
  { folder: 'roll-back', logicalId: 'RollBackFunction', state: 'Roll back' },
  { folder: 'abandon-rollout', logicalId: 'AbandonRolloutFunction', state: 'Abandon rollout' },
];

export const EVENT_FUNCTIONS = [
  { folder: 'handle-deployment-event', logicalId: 'HandleDeploymentEventFunction' },
  { folder: 'handle-alarm-event', logicalId: 'HandleAlarmEventFunction' },
  { folder: 'reconcile-rollouts', logicalId: 'ReconcileRolloutsFunction' },
];

/** The state that waits for the canary deployment with a task token. */
export const TASK_TOKEN_STATE = 'Wait for canary tasks';

/** Substitutions the ASL may leave unused (RegistryTableName serves direct DynamoDB integrations, if any). */
export const OPTIONAL_SUBSTITUTIONS = ['RegistryTableName'];

/**
 * The CloudWatch Logs actions Step Functions documents for logging to CloudWatch Logs that
 * have no resource-level permissions: the only mutating actions allowed on Resource "*", and
 * only for the state machine's role.
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

/** Environment variables every function gets through Globals (MESH_NAME only where App Mesh is a provider). */
export const GLOBAL_ENVIRONMENT = [
  'REGISTRY_TABLE_NAME',
  'STATE_MACHINE_ARN',
  'TRAFFIC_PROVIDERS',
  'MESH_NAME',
  'MESH_OWNER',
  'CLUSTER_NAME',
  'POLICY_PARAMETER_PREFIX',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
];
