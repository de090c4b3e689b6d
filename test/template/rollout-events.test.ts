import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rolloutEventsOf } from '../../functions/shared/domain/rollout-events';
import { rolloutRecord } from '../functions/shared/rollout-record';
import { type Context, type Json, ROOT, Resolver, TEST_CONTEXT, loadProjectTemplate, policyInventory, withParameters } from './cfn';
import { matchesPattern } from './event-pattern';

const template = loadProjectTemplate();
const resolverFor = (context: Context = TEST_CONTEXT) => new Resolver(template, context);
const exists = (logicalId: string, context: Context = TEST_CONTEXT) => {
  const condition = template.Resources[logicalId]?.Condition;
  return condition === undefined || resolverFor(context).resolve({ Condition: condition }) === true;
};
const notificationResources = ['RolloutNotificationTopic', 'RolloutNotificationTopicPolicy', 'RolloutNotificationRule'];

/** A rollout event as EventBridge hands it to a rule: the envelope of the entry the adapter puts. */
function busEvent(executionArn: string): Json {
  const [event] = rolloutEventsOf(undefined, rolloutRecord({ executionArn }));
  return {
    version: '0',
    id: '00000000-0000-4000-8000-000000000001',
    'detail-type': event?.detailType,
    source: 'meshshift',
    account: TEST_CONTEXT.accountId,
    time: '2026-11-20T12:00:00Z',
    region: TEST_CONTEXT.region,
    resources: [executionArn],
    detail: event?.detail,
  };
}

describe('rollout events', () => {
  it('tell the functions the bus to publish to', () => {
    // Prepare / Act
    const variables = (context: Context) => resolverFor(context).resolve(template.Globals.Function.Environment.Variables);

    // Assess
    expect(template.Parameters.RolloutEventBusName.Default).toBe('default');
    expect(variables(TEST_CONTEXT).ROLLOUT_EVENT_BUS_NAME).toBe('default');
    expect(variables(withParameters(TEST_CONTEXT, { RolloutEventBusName: 'platform' })).ROLLOUT_EVENT_BUS_NAME).toBe('platform');
  });

  it('may be put only on that bus, only with source meshshift and a Rollout detail-type', () => {
    // Prepare
    const context = withParameters(TEST_CONTEXT, { RolloutEventBusName: 'platform' });

    // Act
    const grants = policyInventory(template, resolverFor(context)).grants.filter((grant) => grant.statement.Action.includes('events:PutEvents'));

    // Assess
    expect(grants.length).toBeGreaterThan(0);
    for (const { statement } of grants) {
      expect(statement.Action).toEqual(['events:PutEvents']);
      expect(statement.Resource).toEqual(['arn:aws:events:us-west-2:111122223333:event-bus/platform']);
      expect(statement.Condition).toEqual({ StringEquals: { 'events:source': 'meshshift' }, StringLike: { 'events:detail-type': 'Rollout *' } });
    }
  });
});

describe('rollout notifications', () => {
  const email = withParameters(TEST_CONTEXT, { RolloutEventsEmail: 'oncall@example.com' });
  const topicOnly = withParameters(TEST_CONTEXT, { RolloutEventsTopic: 'create' });

  it('are off by default: no topic, rule or subscription', () => {
    // Act
    const made = [...notificationResources, 'RolloutNotificationEmailSubscription'].filter((id) => exists(id));

    // Assess
    expect(made).toEqual([]);
  });

  it.each([
    ['RolloutEventsTopic=create', topicOnly, false],
    ['RolloutEventsEmail', email, true],
  ] as const)('with %s, make the topic, its policy and the rule, and subscribe the address only if one is given', (_label, context, subscribed) => {
    // Act
    const made = notificationResources.filter((id) => exists(id, context));

    // Assess
    expect(made).toEqual(notificationResources);
    expect(exists('RolloutNotificationEmailSubscription', context)).toBe(subscribed);
  });

  it("match this stack's rollout events on its bus, and no other stack's", () => {
    // Prepare
    const rule = resolverFor(topicOnly).resolve(template.Resources.RolloutNotificationRule.Properties);
    const ownExecution = 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-green-1111';
    const otherStackExecution = 'arn:aws:states:us-west-2:111122223333:execution:meshshift-staging-rollout:default-colorteller-green-1111';

    // Act
    const matches = (executionArn: string) => matchesPattern(rule.EventPattern, busEvent(executionArn));

    // Assess
    expect(rule.EventBusName).toBe('default');
    expect(rule.Targets).toEqual([{ Id: 'rollout-notification-topic', Arn: resolverFor(topicOnly).resolve({ Ref: 'RolloutNotificationTopic' }) }]);
    expect(matches(ownExecution)).toBe(true);
    expect(matches(otherStackExecution)).toBe(false);
  });

  it('let EventBridge publish to the topic for that rule only', () => {
    // Prepare
    const resolver = resolverFor(topicOnly);

    // Act
    const policy = resolver.resolve(template.Resources.RolloutNotificationTopicPolicy.Properties);

    // Assess
    expect(policy.Topics).toEqual([resolver.resolve({ Ref: 'RolloutNotificationTopic' })]);
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: resolver.resolve({ Ref: 'RolloutNotificationTopic' }),
        Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:us-west-2:111122223333:rule/meshshift-rollout-notifications' } },
      }),
    ]);
  });

  it('email every event but traffic shifts', () => {
    // Prepare
    const subscription = resolverFor(email).resolve(template.Resources.RolloutNotificationEmailSubscription.Properties);
    const shift = rolloutEventsOf(rolloutRecord({ canaryWeight: 10 }), rolloutRecord({ canaryWeight: 25 }))[0];
    const end = rolloutEventsOf(rolloutRecord({ phase: 'ROLLING_BACK' }), rolloutRecord({ phase: 'ROLLED_BACK' }))[0];

    // Act: SNS filters a message body with an event pattern's syntax.
    const delivered = (detailType: string | undefined) => matchesPattern(subscription.FilterPolicy, { 'detail-type': detailType });

    // Assess
    expect(subscription).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@example.com', FilterPolicyScope: 'MessageBody' });
    expect(delivered(shift?.detailType)).toBe(false);
    expect(delivered(end?.detailType)).toBe(true);
  });
});

describe('dashboard', () => {
  const body = JSON.parse(resolverFor().string(template.Resources.RolloutDashboard.Properties.DashboardBody)) as { widgets: Array<{ type: string; properties: Json }> };
  const metricWidgets = body.widgets.filter((widget) => widget.type === 'metric');
  const metrics = metricWidgets.flatMap((widget) => widget.properties.metrics as Json[][]);

  /** Every metric name a function records (recordMetric / recordDuration calls in functions/). */
  function recordedMetricNames(): Set<string> {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) for (const [, name] of readFileSync(path, 'utf8').matchAll(/record(?:Metric|Duration)\('(\w+)'/g)) names.add(name as string);
      }
    };
    walk(join(ROOT, 'functions'));
    return names;
  }

  it('shows rollouts by outcome, alarm rollbacks, time from alarm to safe, failed executions and the dead-letter queue', () => {
    // Act
    const titles = metricWidgets.map((widget) => widget.properties.title);

    // Assess
    expect(titles).toEqual(
      expect.arrayContaining(['Rollouts by outcome', 'Alarm rollbacks', 'Time from alarm to safe (s)', 'Rollout executions failed', 'Dead-letter queue depth']),
    );
  });

  it("graphs only meshshift metrics some function records, under Powertools' service dimension", () => {
    // Prepare
    const recorded = recordedMetricNames();

    // Act
    const ours = metrics.filter(([namespace]) => namespace === 'meshshift');

    // Assess
    expect(ours.map(([, name]) => name).filter((name) => !recorded.has(name as string))).toEqual([]);
    for (const metric of ours) expect(metric.slice(2, 4)).toEqual(['service', 'meshshift']);
  });

  it("graphs this stack's state machine, queue and notification rule, in its region", () => {
    // Prepare
    const resolver = resolverFor();

    // Act
    const dimensions = metrics.filter(([namespace]) => namespace !== 'meshshift').map(([namespace, name, dimension, value]) => [namespace, name, dimension, value]);

    // Assess
    expect(metricWidgets.map((widget) => widget.properties.region)).toEqual(metricWidgets.map(() => TEST_CONTEXT.region));
    expect(dimensions).toEqual([
      ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', resolver.resolve({ Ref: 'RolloutStateMachine' })],
      ['AWS/States', 'ExecutionsTimedOut', 'StateMachineArn', resolver.resolve({ Ref: 'RolloutStateMachine' })],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', resolver.resolve({ 'Fn::GetAtt': ['EventDeadLetterQueue', 'QueueName'] })],
      ['AWS/Events', 'FailedInvocations', 'RuleName', resolver.physicalName('RolloutNotificationRule')],
    ]);
  });

  it("shows every paging alarm's state", () => {
    // Prepare
    const alarms = Object.entries(template.Resources as Record<string, Json>).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');

    // Act
    const shown = body.widgets.filter((widget) => widget.type === 'alarm').flatMap((widget) => widget.properties.alarms as string[]);

    // Assess
    expect(shown.sort()).toEqual(alarms.map(([id]) => resolverFor().resolve({ 'Fn::GetAtt': [id, 'Arn'] })).sort());
  });

  it('is named after its stack', () => {
    // Act / Assess
    expect(resolverFor().physicalName('RolloutDashboard')).toBe('meshshift-rollouts');
  });
});
