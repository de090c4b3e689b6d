import { join } from 'node:path';
import { Json, ROOT, Resolver, TEST_CONTEXT, loadProjectTemplate, readJson, serverlessFunctions, withParameters } from './cfn';
import { matchesPattern } from './event-pattern';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'events');
const fixture = (name: string): Json => readJson(join(FIXTURES, `${name}.json`));

/** A sample event with some top-level fields and some `detail` fields replaced. */
function fixtureWith(name: string, change: Json): Json {
  const base = fixture(name);
  return { ...base, ...change, detail: { ...base.detail, ...change.detail } };
}

const template = loadProjectTemplate();

/** The EventBridgeRule events of a function, patterns resolved for `context`. */
function rulesOf(functionId: string, context = TEST_CONTEXT): Json[] {
  const events = template.Resources[functionId]?.Properties?.Events ?? {};
  return Object.values(events as Record<string, Json>)
    .filter((e) => e.Type === 'EventBridgeRule')
    .map((e) => new Resolver(template, context).resolve(e.Properties));
}

function ruleOf(functionId: string, context = TEST_CONTEXT): Json {
  const rules = rulesOf(functionId, context);
  expect(rules).toHaveLength(1);
  return rules[0];
}

// The sample ECS events come from cluster "default" in us-west-2, account 111122223333.
const CONTEXT = withParameters(TEST_CONTEXT, { ClusterName: 'default' });

const ECS_EVENTS = [
  'ecs-deployment-in-progress',
  'ecs-deployment-completed',
  'ecs-deployment-failed',
  // Also SERVICE_DEPLOYMENT_IN_PROGRESS: the rule lets it through, the handler ignores it by reason.
  'ecs-deployment-circuit-breaker-rollback',
];
const ALARM_EVENTS = ['cloudwatch-alarm-to-alarm', 'cloudwatch-alarm-to-ok'];

describe('EventBridge rules', () => {
  it('only the two event handlers and the reconciler have rules, one each, with retries and a dead-letter queue', () => {
    // Prepare
    const withRules = serverlessFunctions(template)
      .filter(([id]) => rulesOf(id).length > 0)
      .map(([id]) => id);

    // Act
    const rules = withRules.map((id) => ruleOf(id, CONTEXT));

    // Assess
    expect(withRules.sort()).toEqual(['HandleAlarmEventFunction', 'HandleDeploymentEventFunction', 'ReconcileRolloutsFunction']);
    for (const rule of rules) {
      expect(rule.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 });
      expect(rule.DeadLetterConfig).toEqual({
        Arn: new Resolver(template, CONTEXT).resolve({ 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] }),
      });
    }
  });

  describe('ECS deployment rule (HandleDeploymentEventFunction)', () => {
    const pattern = () => ruleOf('HandleDeploymentEventFunction', CONTEXT).Pattern;

    it.each([
      ...ECS_EVENTS.map((name) => [name, true] as const),
      ...ALARM_EVENTS.map((name) => [name, false] as const),
    ])('%s -> matches: %s', (name, expected) => {
      // Prepare
      const event = fixture(name);

      // Act
      const matched = matchesPattern(pattern(), event);

      // Assess
      expect(matched).toBe(expected);
    });

    it.each([
      ['a service of another cluster', { resources: ['arn:aws:ecs:us-west-2:111122223333:service/other/colorteller'] }],
      ['a cluster whose name only starts like ours', { resources: ['arn:aws:ecs:us-west-2:111122223333:service/default-2/colorteller'] }],
      ['another account', { resources: ['arn:aws:ecs:us-west-2:444455556666:service/default/colorteller'] }],
      ['another region', { resources: ['arn:aws:ecs:eu-west-1:111122223333:service/default/colorteller'] }],
      ['a deployment event we do not handle', { detail: { eventName: 'SERVICE_TASK_START_IMPAIRED' } }],
      ['another detail-type', { 'detail-type': 'ECS Service Action' }],
    ])('does not match %s', (_name, change) => {
      // Prepare
      const event = fixtureWith('ecs-deployment-in-progress', change);

      // Act
      const matched = matchesPattern(pattern(), event);

      // Assess
      expect(matched).toBe(false);
    });

    it('follows the ClusterName parameter', () => {
      // Prepare
      const otherCluster = ruleOf('HandleDeploymentEventFunction', withParameters(CONTEXT, { ClusterName: 'prod' })).Pattern;

      // Act
      const matched = matchesPattern(otherCluster, fixture('ecs-deployment-in-progress'));

      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('alarm rule (HandleAlarmEventFunction)', () => {
    const pattern = (context = CONTEXT) => ruleOf('HandleAlarmEventFunction', context).Pattern;

    it.each([
      ['cloudwatch-alarm-to-alarm', true] as const,
      ['cloudwatch-alarm-to-ok', false] as const,
      ...ECS_EVENTS.map((name) => [name, false] as const),
    ])('%s -> matches: %s', (name, expected) => {
      // Prepare
      const event = fixture(name);

      // Act
      const matched = matchesPattern(pattern(), event);

      // Assess
      expect(matched).toBe(expected);
    });

    it.each([
      ['INSUFFICIENT_DATA', { detail: { state: { value: 'INSUFFICIENT_DATA' } } }],
      ['an alarm of another account', { resources: ['arn:aws:cloudwatch:us-west-2:444455556666:alarm:colorteller-5xx'] }],
    ])('does not match %s', (_name, change) => {
      // Prepare
      const event = fixtureWith('cloudwatch-alarm-to-alarm', change);

      // Act
      const matched = matchesPattern(pattern(), event);

      // Assess
      expect(matched).toBe(false);
    });

    it('with an AlarmNamePrefix, matches only alarms whose names start with it', () => {
      // Prepare
      const event = fixture('cloudwatch-alarm-to-alarm');

      // Act
      const ours = matchesPattern(pattern(withParameters(CONTEXT, { AlarmNamePrefix: 'colorteller-' })), event);
      const others = matchesPattern(pattern(withParameters(CONTEXT, { AlarmNamePrefix: 'checkout-' })), event);

      // Assess
      expect(ours).toBe(true);
      expect(others).toBe(false);
    });
  });
});
