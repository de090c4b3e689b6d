// What the template must contain: the functions, the state each one backs, and the exact IAM
// actions each one may call. Changing a function's permissions means changing this file too.

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

const REGISTRY = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];
const ROUTE_WRITE = ['appmesh:DescribeRoute', 'appmesh:UpdateRoute'];
const NODE_CLEANUP = ['appmesh:DescribeVirtualNode', 'appmesh:DeleteVirtualNode'];
const SERVICE_WRITE = ['ecs:DescribeServices', 'ecs:UpdateService'];
/** rollBackRollout(): restore the routes, scale the canary service down, delete the canary node. */
const ROLL_BACK = [...ROUTE_WRITE, ...NODE_CLEANUP, ...SERVICE_WRITE];
/** ServiceDeployer.describeService() reads the service and its tags. */
const DESCRIBE_SERVICE = ['ecs:DescribeServices', 'ecs:ListTagsForResource'];

/**
 * Exactly the actions each function's role is granted in the template (SAM adds logging and
 * X-Ray itself), following what each handler's use-case calls through the ports and adapters
 * in functions/shared/. Changing what a handler calls means changing this table too.
 */
export const EXPECTED_ACTIONS: Record<string, string[]> = {
  // Reads service, tags, task definition, policy, routes, nodes and alarms; writes only to
  // supersede an older rollout (roll it back, stop its execution).
  PrepareRolloutFunction: [
    ...DESCRIBE_SERVICE,
    'ecs:DescribeTaskDefinition',
    'ssm:GetParameter',
    'cloudwatch:DescribeAlarms',
    ...ROLL_BACK,
    'states:StopExecution',
    ...REGISTRY,
  ],
  EnsureCanaryNodeFunction: ['appmesh:DescribeVirtualNode', 'appmesh:CreateVirtualNode', ...REGISTRY],
  DeployCanaryFunction: [...SERVICE_WRITE, ...REGISTRY],
  WaitForCanaryTasksFunction: [...DESCRIBE_SERVICE, 'states:SendTaskSuccess', 'states:SendTaskFailure', ...REGISTRY],
  // A rollback that raced the write is completed here (I7).
  ShiftTrafficFunction: [...ROLL_BACK, ...REGISTRY],
  CheckHealthFunction: ['cloudwatch:DescribeAlarms', ...REGISTRY],
  PromoteCanaryFunction: [...ROLL_BACK, ...REGISTRY],
  RetireStableFunction: [...NODE_CLEANUP, ...SERVICE_WRITE, ...REGISTRY],
  RollBackFunction: [...ROLL_BACK, ...REGISTRY],
  // A person edited the route: only the registry is touched.
  AbandonRolloutFunction: [...REGISTRY],
  HandleDeploymentEventFunction: [
    ...DESCRIBE_SERVICE,
    'states:StartExecution',
    'states:SendTaskSuccess',
    'states:SendTaskFailure',
    ...REGISTRY,
  ],
  HandleAlarmEventFunction: [...ROLL_BACK, 'states:StopExecution', ...REGISTRY],
  // Rolls back, finishes or stops whatever a lost event, a crash or a person left unfinished;
  // settles a wait whose deployment event was lost.
  ReconcileRolloutsFunction: [
    ...ROLL_BACK,
    'ecs:ListTagsForResource',
    'cloudwatch:DescribeAlarms',
    'states:ListExecutions',
    'states:SendTaskSuccess',
    'states:SendTaskFailure',
    'states:DescribeExecution',
    'states:StopExecution',
    ...REGISTRY,
  ],
};

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

/** Environment variables every function gets through Globals. */
export const GLOBAL_ENVIRONMENT = [
  'REGISTRY_TABLE_NAME',
  'STATE_MACHINE_ARN',
  'MESH_NAME',
  'MESH_OWNER',
  'CLUSTER_NAME',
  'POLICY_PARAMETER_PREFIX',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
];
