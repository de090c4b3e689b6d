/**
 * The rollout state machine, written once here and generated into rollout.asl.json (what SAM
 * deploys and the local stack runs) by `npm run build`; a test fails when the two differ. ASL
 * has no way to share a block, so this is where each Retry policy and Catch is stated once.
 */

import type { GatingHookPoint } from '../functions/shared/domain/lifecycle-hooks';
import { executionTimeoutSeconds } from '../functions/shared/domain/schedule';

/** What AWS reports when the invocation itself fails: throttled, crashed, timed out, out of memory. */
const lambdaFailures = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
];

/**
 * Every task is idempotent, so an invocation that failed, crashed or timed out, or an AWS call
 * that failed transiently, is simply tried again (about 2.5 minutes with full jitter).
 */
const retryFailedInvocations = [
  { ErrorEquals: [...lambdaFailures, 'TransientAwsError'], IntervalSeconds: 1, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
];

/**
 * A rollback must outlast a throttling storm or a control-plane incident: every error is
 * retried for about 20 minutes (40 attempts, full jitter up to a minute apart) before a person
 * is paged, and even then the reconciler keeps trying.
 */
const retryRollbackThroughAnything = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 40, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' }];

const catchIntoRollBack = { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Roll back' };
const catchPersonsEdit = { ErrorEquals: ['RouteEditedError'], ResultPath: '$.failure', Next: 'Abandon rollout' };

/** A Lambda task on the rollout, given `rollout` and handing it on: the usual shape of a step. */
function rolloutTask(functionArn: string, comment: string, next: string, catches: object[] = [catchIntoRollBack]) {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: `\${${functionArn}}`,
    Parameters: { 'rollout.$': '$.rollout' },
    ResultPath: '$.rollout',
    Retry: retryFailedInvocations,
    Catch: catches,
    Next: next,
  };
}

/** A task of the compensation path: given the caught failure, it turns it into an Error and Cause a person reads. */
function compensationTask(functionArn: string, comment: string, next: string) {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: `\${${functionArn}}`,
    Parameters: { 'rolloutId.$': '$$.Execution.Name', 'failure.$': '$.failure' },
    ResultPath: '$.outcome',
    Retry: retryRollbackThroughAnything,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.rollbackFailure', Next: 'Rollback needs a person' }],
    Next: next,
  };
}

/** The state that sets a hook up for Run hook, one per point, named for the point. */
const hookSetUpStates: Record<GatingHookPoint, string> = {
  beforeRollout: 'Set up the hook before the rollout',
  beforeStep: 'Set up the hook before each step',
  afterStep: 'Set up the hook after each step',
  beforePromotion: 'Set up the hook before promotion',
  afterPromotion: 'Set up the hook after promotion',
};

const hasHook = (point: GatingHookPoint) => ({ Variable: `$.rollout.hooks.${point}`, IsPresent: true });
const verdictIs = (verdict: string) => ({ Variable: '$.rollout.verdict', StringEquals: verdict });
const hookWas = (point: GatingHookPoint) => ({ Variable: '$.Payload.hook.point', StringEquals: point });

/** A Choice rule that goes to `next` when every condition holds. */
function when(conditions: object[], next: string) {
  return conditions.length === 1 ? { ...conditions[0], Next: next } : { And: conditions, Next: next };
}

/**
 * Puts the hook's point and settings where Run hook reads them, and its timeout where Run hook's
 * TimeoutSecondsPath finds it whichever input an engine resolves the path against (as for the pause).
 */
function hookSetUp(point: GatingHookPoint) {
  return {
    Type: 'Pass',
    Parameters: {
      hook: {
        point,
        'function.$': `$.rollout.hooks.${point}.function`,
        'timeoutSeconds.$': `$.rollout.hooks.${point}.timeoutSeconds`,
        'onTimeout.$': `$.rollout.hooks.${point}.onTimeout`,
      },
    },
    ResultPath: '$.Payload',
    Next: 'Run hook',
  };
}

export const rolloutDefinition = {
  Comment: 'meshshift: shift a route from the stable to the canary step by step, asking the policy\'s hooks on the way; roll back exactly on any failure.',
  QueryLanguage: 'JSONPath',
  StartAt: 'Prepare rollout',
  TimeoutSeconds: executionTimeoutSeconds,
  States: {
    'Prepare rollout': {
      Type: 'Task',
      Comment: 'Validate the policy and input, take the route leases, snapshot the routes. Changes no traffic.',
      Resource: '${PrepareRolloutFunctionArn}',
      Parameters: {
        'request.$': '$',
        execution: { 'name.$': '$$.Execution.Name', 'arn.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
      },
      ResultPath: '$.rollout',
      Retry: retryFailedInvocations,
      Catch: [catchIntoRollBack],
      Next: 'Ensure canary node',
    },
    'Ensure canary node': rolloutTask('EnsureCanaryNodeFunctionArn', 'Create the canary virtual node from the stable one before its Envoys ask for config.', 'Does meshshift deploy the canary?'),
    'Does meshshift deploy the canary?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.rollout.deployTaskDefinition', BooleanEquals: true, Next: 'Deploy canary' }],
      Default: 'Wait for canary tasks',
    },
    'Deploy canary': rolloutTask('DeployCanaryFunctionArn', 'Manual rollouts that name a task definition: update the ECS service.', 'Wait for canary tasks'),
    'Wait for canary tasks': {
      Type: 'Task',
      Comment: 'Park until the ECS deployment completes (at most an hour); the deployment event handler resumes the token.',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${WaitForCanaryTasksFunctionArn}', Payload: { 'rollout.$': '$.rollout', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: null,
      TimeoutSeconds: 3600,
      Retry: retryFailedInvocations,
      Catch: [catchIntoRollBack],
      Next: 'Is there a hook before traffic moves?',
    },
    'Is there a hook before traffic moves?': {
      Type: 'Choice',
      Choices: [when([hasHook('beforeRollout')], hookSetUpStates.beforeRollout), when([hasHook('beforeStep')], hookSetUpStates.beforeStep)],
      Default: 'Shift traffic',
    },
    'Shift traffic': rolloutTask('ShiftTrafficFunctionArn', "Write this step's weights to every route, only where they differ.", 'Bake', [catchPersonsEdit, catchIntoRollBack]),
    Bake: {
      Type: 'Wait',
      Comment:
        "After a shift, the provider's settle time (0 s on App Mesh, 90 s on Lattice) and the bake, so the check judges the traffic the canary really got; after a hold, the bake alone. Alarms interrupt this at once.",
      SecondsPath: '$.rollout.bakeWaitSeconds',
      Next: 'Check health',
    },
    'Check health': rolloutTask(
      'CheckHealthFunctionArn',
      'After a bake, read the alarms and any operator request, and where weights apply late read them back; after a pause, read who ended it. An unhealthy canary throws AlarmBreachedError.',
      'Is the canary ready for more traffic?',
      [catchPersonsEdit, catchIntoRollBack],
    ),
    'Is the canary ready for more traffic?': {
      Type: 'Choice',
      Choices: [
        when([verdictIs('advance'), hasHook('afterStep')], hookSetUpStates.afterStep),
        when([verdictIs('advance'), hasHook('beforeStep')], hookSetUpStates.beforeStep),
        when([verdictIs('advance')], 'Shift traffic'),
        when([verdictIs('hold')], 'Bake'),
        when([verdictIs('promote'), hasHook('afterStep')], hookSetUpStates.afterStep),
        when([verdictIs('promote'), hasHook('beforePromotion')], hookSetUpStates.beforePromotion),
        when([verdictIs('promote')], 'Promote canary'),
        when([verdictIs('pause')], 'Set how long the pause may last'),
      ],
      Default: 'Treat an unknown verdict as unhealthy',
    },
    'Set how long the pause may last': {
      Type: 'Pass',
      Comment:
        "Puts the pause's timeout where Pause rollout's TimeoutSecondsPath finds it whichever input an engine resolves that path against: Step Functions reads the state's input, other engines (the local one) the task's Parameters.",
      Parameters: { rollout: { pause: { 'timeoutSeconds.$': '$.rollout.pause.timeoutSeconds' } } },
      ResultPath: '$.Payload',
      Next: 'Pause rollout',
    },
    'Pause rollout': {
      Type: 'Task',
      Comment:
        "Park at the step's weight, without polling: the function stores the task token; resume, promote and abort end the pause at once, a timed pause ends with its timeout, and Check health decides what follows. Alarms interrupt this as they do a bake.",
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${PauseRolloutFunctionArn}', Payload: { 'rollout.$': '$.rollout', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.Payload.rollout.pause.timeoutSeconds',
      ResultPath: null,
      Retry: retryFailedInvocations,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.rollout.pauseTimedOut', Next: 'Check health' }, catchIntoRollBack],
      Next: 'Check health',
    },
    'Treat an unknown verdict as unhealthy': {
      Type: 'Pass',
      Comment: 'Fail closed: a verdict this definition does not know never moves more traffic.',
      // A fixed Cause: a verdict that is missing altogether would make a path to it fail the execution itself.
      Result: { Error: 'UnknownVerdictError', Cause: 'Check health returned a verdict this state machine does not know; the rollout is rolled back rather than moved on' },
      ResultPath: '$.failure',
      Next: 'Roll back',
    },
    ...Object.fromEntries(Object.entries(hookSetUpStates).map(([point, name]) => [name, hookSetUp(point as GatingHookPoint)])),
    'Run hook': {
      Type: 'Task',
      Comment:
        "Ask the team's hook function; it approves or rejects at once, or later through the task token. A rejection rolls back; no answer within the hook's timeoutSeconds does what its onTimeout says. Alarms interrupt this as they do a bake.",
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${RunHookFunctionArn}', Payload: { 'rollout.$': '$.rollout', 'hook.$': '$.Payload.hook', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.Payload.hook.timeoutSeconds',
      ResultPath: null,
      Retry: retryFailedInvocations,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.hookTimedOut', Next: "Does the hook's timeout let the rollout go on?" }, catchIntoRollBack],
      Next: 'Where does the rollout go after its hook?',
    },
    "Does the hook's timeout let the rollout go on?": {
      Type: 'Choice',
      Choices: [{ Variable: '$.Payload.hook.onTimeout', StringEquals: 'proceed', Next: 'Where does the rollout go after its hook?' }],
      Default: 'Treat the unanswered hook as a rejection',
    },
    'Treat the unanswered hook as a rejection': {
      Type: 'Pass',
      Parameters: {
        Error: 'HookTimedOutError',
        'Cause.$': "States.Format('The {} hook {} did not answer within {} s', $.Payload.hook.point, $.Payload.hook.function, $.Payload.hook.timeoutSeconds)",
      },
      ResultPath: '$.failure',
      Next: 'Roll back',
    },
    'Where does the rollout go after its hook?': {
      Type: 'Choice',
      Choices: [
        when([hookWas('beforeRollout'), hasHook('beforeStep')], hookSetUpStates.beforeStep),
        when([hookWas('beforeRollout')], 'Shift traffic'),
        when([hookWas('beforeStep')], 'Shift traffic'),
        when([hookWas('afterStep'), verdictIs('advance'), hasHook('beforeStep')], hookSetUpStates.beforeStep),
        when([hookWas('afterStep'), verdictIs('advance')], 'Shift traffic'),
        when([hookWas('afterStep'), verdictIs('promote'), hasHook('beforePromotion')], hookSetUpStates.beforePromotion),
        when([hookWas('afterStep'), verdictIs('promote')], 'Promote canary'),
        when([hookWas('beforePromotion')], 'Promote canary'),
        when([hookWas('afterPromotion')], 'Wait for stable to drain'),
      ],
      Default: 'Treat an unknown verdict as unhealthy',
    },
    'Promote canary': rolloutTask('PromoteCanaryFunctionArn', 'Point every route at the canary alone.', 'Is there a hook after promotion?', [catchPersonsEdit, catchIntoRollBack]),
    'Is there a hook after promotion?': {
      Type: 'Choice',
      Comment: 'The stable still runs until Retire stable, so a hook that rejects now still rolls back to it.',
      Choices: [when([hasHook('afterPromotion')], hookSetUpStates.afterPromotion)],
      Default: 'Wait for stable to drain',
    },
    'Wait for stable to drain': {
      Type: 'Wait',
      Comment: 'In-flight requests to the old version finish before its node goes away.',
      SecondsPath: '$.rollout.promotion.drainSeconds',
      Next: 'Retire stable',
    },
    'Retire stable': {
      ...rolloutTask('RetireStableFunctionArn', 'Delete the old nodes and scale their services down, as the policy says.', 'Rollout promoted'),
      ResultPath: '$.retirement',
    },
    'Rollout promoted': { Type: 'Succeed' },
    'Roll back': compensationTask('RollBackFunctionArn', "Restore each route's snapshot exactly, retire the canary, free the routes.", 'Rollout failed'),
    'Rollout failed': {
      Type: 'Fail',
      Comment: 'Rolled back (or never started); Error and Cause say why.',
      ErrorPath: '$.outcome.error',
      CausePath: '$.outcome.cause',
    },
    'Abandon rollout': compensationTask('AbandonRolloutFunctionArn', 'A person changed the route: let go without touching it.', 'Rollout stopped after a manual edit'),
    'Rollout stopped after a manual edit': { Type: 'Fail', ErrorPath: '$.outcome.error', CausePath: '$.outcome.cause' },
    'Rollback needs a person': {
      Type: 'Fail',
      Comment: 'Only after every retry of the rollback failed: the registry still marks the rollout ROLLING_BACK, the reconciler keeps trying, and the alarm on failed executions pages.',
      Error: 'RollbackFailedError',
      CausePath: '$.rollbackFailure.Cause',
    },
  },
};
