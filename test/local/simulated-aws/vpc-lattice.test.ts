import {
  BatchUpdateRuleCommand,
  ConflictException,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateTargetGroupCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetTargetGroupCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ResourceNotFoundException,
  type RuleAction,
  TagResourceCommand,
  ThrottlingException,
  UpdateListenerCommand,
  UpdateRuleCommand,
  type UpdateRuleRequest,
  ValidationException,
  VPCLatticeClient,
  type WeightedTargetGroup,
} from '@aws-sdk/client-vpc-lattice';
import { SimulatedAws, type SimulatedAwsOptions } from '../../../local/simulated-aws';

const START = new Date('2026-03-02T10:00:00.000Z');
const VPC = 'vpc-0123456789abcdef0';
const ARN_PREFIX = 'arn:aws:vpc-lattice:us-west-2:111122223333:';
// Id shapes from the API model: ServiceId, ListenerId, RuleId, TargetGroupId.
const SERVICE_ID = /^svc-[0-9a-z]{17}$/;
const LISTENER_ID = /^listener-[0-9a-z]{17}$/;
const RULE_ID = /^rule-[0-9a-z]{17}$/;
const TARGET_GROUP_ID = /^tg-[0-9a-z]{17}$/;

function forward(...targetGroups: WeightedTargetGroup[]): RuleAction {
  return { forward: { targetGroups } };
}

/** A simulator on a clock the test moves, with a VPCLatticeClient attached. */
function setup(options: SimulatedAwsOptions = {}) {
  let now = START;
  const sim = new SimulatedAws({ now: () => now, ...options });
  const client = sim.attach(new VPCLatticeClient({ region: 'us-west-2' }));
  const advance = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
    return now;
  };
  return { sim, client, advance };
}

async function createTargetGroup(client: VPCLatticeClient, name: string): Promise<string> {
  const { id } = await client.send(
    new CreateTargetGroupCommand({ name, type: 'IP', config: { port: 9080, protocol: 'HTTP', vpcIdentifier: VPC } }),
  );
  return id ?? '';
}

/**
 * A Lattice service with the App Mesh layout's counterparts: an HTTP listener whose default action
 * forwards to blue, and a rule (priority 10) splitting `/` between blue (100) and green (0).
 */
async function createColorService(client: VPCLatticeClient, name = 'colorteller') {
  const service = await client.send(new CreateServiceCommand({ name, tags: { team: 'color' } }));
  const serviceId = service.id ?? '';
  const blue = await createTargetGroup(client, `${name}-blue`);
  const green = await createTargetGroup(client, `${name}-green`);
  const listener = await client.send(
    new CreateListenerCommand({ serviceIdentifier: serviceId, name: 'http', protocol: 'HTTP', defaultAction: forward({ targetGroupIdentifier: blue }) }),
  );
  const listenerId = listener.id ?? '';
  const rule = await client.send(
    new CreateRuleCommand({
      serviceIdentifier: serviceId,
      listenerIdentifier: listenerId,
      name: 'split',
      match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
      priority: 10,
      action: forward({ targetGroupIdentifier: blue, weight: 100 }, { targetGroupIdentifier: green, weight: 0 }),
    }),
  );
  return { serviceId, serviceArn: service.arn ?? '', listenerId, listenerArn: listener.arn ?? '', ruleId: rule.id ?? '', ruleArn: rule.arn ?? '', blue, green };
}

type ColorService = Awaited<ReturnType<typeof createColorService>>;

function updateRule(client: VPCLatticeClient, ids: ColorService, fields: Omit<UpdateRuleRequest, 'serviceIdentifier' | 'listenerIdentifier' | 'ruleIdentifier'>, ruleId = ids.ruleId) {
  return client.send(new UpdateRuleCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, ruleIdentifier: ruleId, ...fields }));
}

function shift(client: VPCLatticeClient, ids: ColorService, blueWeight: number, greenWeight: number) {
  return updateRule(client, ids, {
    action: forward({ targetGroupIdentifier: ids.blue, weight: blueWeight }, { targetGroupIdentifier: ids.green, weight: greenWeight }),
  });
}

function getRule(client: VPCLatticeClient, ids: ColorService, ruleId = ids.ruleId) {
  return client.send(new GetRuleCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, ruleIdentifier: ruleId }));
}

function addRule(client: VPCLatticeClient, ids: ColorService, name: string, priority: number) {
  return client.send(
    new CreateRuleCommand({
      serviceIdentifier: ids.serviceId,
      listenerIdentifier: ids.listenerId,
      name,
      match: { httpMatch: { pathMatch: { match: { prefix: `/${name}` } } } },
      priority,
      action: forward({ targetGroupIdentifier: ids.blue }),
    }),
  );
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.catch((error: unknown) => error);
}

describe('simulated VPC Lattice', () => {
  describe('resources', () => {
    it('creates a service, listener, rule and target groups with the model\'s id and ARN formats', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const ids = await createColorService(client);
      const service = await client.send(new GetServiceCommand({ serviceIdentifier: ids.serviceId }));
      const listener = await client.send(new GetListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));
      const rule = await getRule(client, ids);
      const targetGroup = await client.send(new GetTargetGroupCommand({ targetGroupIdentifier: ids.green }));

      // Assess
      expect(ids.serviceId).toMatch(SERVICE_ID);
      expect(ids.listenerId).toMatch(LISTENER_ID);
      expect(ids.ruleId).toMatch(RULE_ID);
      expect(ids.green).toMatch(TARGET_GROUP_ID);
      expect(service).toMatchObject({ id: ids.serviceId, name: 'colorteller', arn: `${ARN_PREFIX}service/${ids.serviceId}`, status: 'ACTIVE', authType: 'NONE', createdAt: START, lastUpdatedAt: START });
      expect(listener).toMatchObject({
        id: ids.listenerId,
        arn: `${ARN_PREFIX}service/${ids.serviceId}/listener/${ids.listenerId}`,
        name: 'http',
        protocol: 'HTTP',
        port: 80,
        serviceId: ids.serviceId,
        serviceArn: ids.serviceArn,
        defaultAction: forward({ targetGroupIdentifier: ids.blue }),
      });
      expect(rule).toMatchObject({
        id: ids.ruleId,
        arn: `${ARN_PREFIX}service/${ids.serviceId}/listener/${ids.listenerId}/rule/${ids.ruleId}`,
        name: 'split',
        isDefault: false,
        priority: 10,
        match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
        action: forward({ targetGroupIdentifier: ids.blue, weight: 100 }, { targetGroupIdentifier: ids.green, weight: 0 }),
        createdAt: START,
        lastUpdatedAt: START,
      });
      expect(targetGroup).toMatchObject({
        id: ids.green,
        arn: `${ARN_PREFIX}targetgroup/${ids.green}`,
        type: 'IP',
        config: { port: 9080, protocol: 'HTTP', vpcIdentifier: VPC },
        status: 'ACTIVE',
        serviceArns: [ids.serviceArn],
      });
    });

    it('accepts ARNs wherever it accepts ids', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const rule = await client.send(new GetRuleCommand({ serviceIdentifier: ids.serviceArn, listenerIdentifier: ids.listenerArn, ruleIdentifier: ids.ruleArn }));

      // Assess
      expect(rule.id).toBe(ids.ruleId);
    });

    it('lists rules in evaluation order with the default rule last, and target groups by type', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      await addRule(client, ids, 'first', 1);
      await createTargetGroup(client, 'unused');

      // Act
      const { items: rules } = await client.send(new ListRulesCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));
      const { items: targetGroups } = await client.send(new ListTargetGroupsCommand({ targetGroupType: 'IP' }));
      const { items: lambdas } = await client.send(new ListTargetGroupsCommand({ targetGroupType: 'LAMBDA' }));

      // Assess
      expect(rules?.map(({ name, priority, isDefault }) => ({ name, priority, isDefault }))).toEqual([
        { name: 'first', priority: 1, isDefault: false },
        { name: 'split', priority: 10, isDefault: false },
        { isDefault: true },
      ]);
      expect(rules?.at(-1)?.id).toMatch(RULE_ID);
      expect(targetGroups?.map(({ name, serviceArns }) => ({ name, serviceArns }))).toEqual([
        { name: 'colorteller-blue', serviceArns: [ids.serviceArn] },
        { name: 'colorteller-green', serviceArns: [ids.serviceArn] },
        { name: 'unused', serviceArns: [] },
      ]);
      expect(lambdas).toEqual([]);
    });
  });

  describe('weights', () => {
    it('changes the weights with UpdateRule and keeps the match and priority it omits', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const updated = await shift(client, ids, 900, 99);
      const rule = await getRule(client, ids);

      // Assess
      const action = forward({ targetGroupIdentifier: ids.blue, weight: 900 }, { targetGroupIdentifier: ids.green, weight: 99 });
      expect(updated).toMatchObject({ id: ids.ruleId, priority: 10, action });
      expect(rule).toMatchObject({ priority: 10, match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } }, action });
    });

    it('changes the default action with UpdateListener, as GetListener and the default rule show', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      const defaultAction = forward({ targetGroupIdentifier: ids.blue, weight: 1 }, { targetGroupIdentifier: ids.green, weight: 1 });

      // Act
      await client.send(new UpdateListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, defaultAction }));
      const listener = await client.send(new GetListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));
      const { items } = await client.send(new ListRulesCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));
      const defaultRule = await getRule(client, ids, items?.at(-1)?.id);

      // Assess
      expect(listener.defaultAction).toEqual(defaultAction);
      expect(defaultRule).toMatchObject({ isDefault: true, action: defaultAction });
    });

    it('moves a rule to a free priority and accepts a fixed response', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const updated = await updateRule(client, ids, { priority: 100, action: { fixedResponse: { statusCode: 503 } } });

      // Assess
      expect(updated).toMatchObject({ priority: 100, action: { fixedResponse: { statusCode: 503 } } });
    });
  });

  describe('validation', () => {
    it.each<[string, (ids: ColorService) => RuleAction, string]>([
      ['a weight above 999', (ids) => forward({ targetGroupIdentifier: ids.blue, weight: 1000 }, { targetGroupIdentifier: ids.green, weight: 0 }), 'action.forward.targetGroups[0].weight must be an integer from 0 to 999'],
      ['a negative weight', (ids) => forward({ targetGroupIdentifier: ids.blue, weight: 100 }, { targetGroupIdentifier: ids.green, weight: -1 }), 'action.forward.targetGroups[1].weight must be an integer from 0 to 999'],
      ['a fractional weight', (ids) => forward({ targetGroupIdentifier: ids.blue, weight: 99.5 }, { targetGroupIdentifier: ids.green, weight: 1 }), 'targetGroups[0].weight must be an integer'],
      ['a missing weight beside another target group', (ids) => forward({ targetGroupIdentifier: ids.blue }, { targetGroupIdentifier: ids.green, weight: 1 }), 'targetGroups[0].weight is required when a forward action lists more than one target group'],
      ['no target group', () => forward(), 'action.forward.targetGroups must list from 1 to 10 target groups (got 0)'],
      ['eleven target groups', (ids) => forward(...Array.from({ length: 11 }, () => ({ targetGroupIdentifier: ids.blue, weight: 1 }))), 'must list from 1 to 10 target groups (got 11)'],
      ['one target group twice', (ids) => forward({ targetGroupIdentifier: ids.blue, weight: 1 }, { targetGroupIdentifier: `${ARN_PREFIX}targetgroup/${ids.blue}`, weight: 1 }), 'more than once'],
      ['a malformed target group identifier', () => forward({ targetGroupIdentifier: 'colorteller-blue' }), 'action.forward.targetGroups[0].targetGroupIdentifier must be an id or ARN'],
      ['both a forward and a fixed response', (ids) => ({ ...forward({ targetGroupIdentifier: ids.blue }), fixedResponse: { statusCode: 404 } }) as RuleAction, 'action must set exactly one of forward, fixedResponse (found forward, fixedResponse)'],
      ['a status code out of range', () => ({ fixedResponse: { statusCode: 600 } }), 'action.fixedResponse.statusCode must be an integer from 100 to 599'],
    ])('refuses an action with %s as a ValidationException naming the field', async (_case, action, message) => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const error = await caught(updateRule(client, ids, { action: action(ids) }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 }, reason: 'fieldValidationFailed', message: expect.stringContaining(message) });
      expect((await getRule(client, ids)).action).toEqual(forward({ targetGroupIdentifier: ids.blue, weight: 100 }, { targetGroupIdentifier: ids.green, weight: 0 }));
    });

    it.each([0, 101, 2.5])('refuses rule priority %p as a ValidationException', async (priority) => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const error = await caught(addRule(client, ids, 'other', priority));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ message: expect.stringContaining('priority must be an integer from 1 to 100'), fieldList: [{ name: 'priority', message: expect.any(String) }] });
    });

    it.each(['Colorteller', 'svc-colorteller', '-colorteller', 'color--teller', 'co', 'c'.repeat(41)])('refuses service name %p as a ValidationException', async (name) => {
      // Prepare
      const { client } = setup();

      // Act
      const error = await caught(client.send(new CreateServiceCommand({ name })));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ message: expect.stringContaining('name must be 3 to 40 characters of a-z, 0-9 and hyphens') });
    });

    it('refuses to change the default rule with UpdateRule, pointing to UpdateListener', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      const { items } = await client.send(new ListRulesCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));

      // Act
      const error = await caught(updateRule(client, ids, { action: forward({ targetGroupIdentifier: ids.green }) }, items?.at(-1)?.id));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ message: expect.stringContaining('only UpdateListener changes') });
    });
  });

  describe('missing resources', () => {
    it.each<[string, (ids: ColorService) => UpdateRuleRequest, string, string]>([
      ['service', (ids) => ({ serviceIdentifier: 'svc-00000000000000000', listenerIdentifier: ids.listenerId, ruleIdentifier: ids.ruleId }), 'SERVICE', 'Service svc-00000000000000000 not found'],
      ['listener', (ids) => ({ serviceIdentifier: ids.serviceId, listenerIdentifier: 'listener-00000000000000000', ruleIdentifier: ids.ruleId }), 'LISTENER', 'Listener listener-00000000000000000 not found'],
      ['rule', (ids) => ({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, ruleIdentifier: 'rule-00000000000000000' }), 'RULE', 'Rule rule-00000000000000000 not found'],
      ['target group', (ids) => ({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, ruleIdentifier: ids.ruleId, action: forward({ targetGroupIdentifier: 'tg-00000000000000000' }) }), 'TARGET_GROUP', 'Target group tg-00000000000000000 not found'],
    ])('answers UpdateRule naming a missing %s with a ResourceNotFoundException', async (_which, input, resourceType, message) => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const error = await caught(client.send(new UpdateRuleCommand(input(ids))));

      // Assess
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 404 }, resourceType, message: expect.stringContaining(message) });
    });

    it('answers GetService for a missing service with a ResourceNotFoundException', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const error = await caught(client.send(new GetServiceCommand({ serviceIdentifier: 'svc-0123456789abcdefg' })));

      // Assess
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error).toMatchObject({ resourceId: 'svc-0123456789abcdefg' });
    });
  });

  describe('conflicts', () => {
    it('refuses a priority another rule of the listener holds, on create and on update', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      const other = await addRule(client, ids, 'other', 20);

      // Act
      const onCreate = await caught(addRule(client, ids, 'third', 10));
      const onUpdate = await caught(updateRule(client, ids, { priority: 10 }, other.id));

      // Assess
      for (const error of [onCreate, onUpdate]) {
        expect(error).toBeInstanceOf(ConflictException);
        expect(error).toMatchObject({ $metadata: { httpStatusCode: 409 }, resourceType: 'RULE', message: expect.stringContaining(`Priority 10 is already used`) });
      }
      expect((await getRule(client, ids, other.id)).priority).toBe(20);
    });

    it('refuses a target group that another service already uses', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      const { id: otherService } = await client.send(new CreateServiceCommand({ name: 'colorgateway' }));

      // Act
      const error = await caught(
        client.send(new CreateListenerCommand({ serviceIdentifier: otherService, name: 'http', protocol: 'HTTP', defaultAction: forward({ targetGroupIdentifier: ids.green }) })),
      );

      // Assess
      expect(error).toBeInstanceOf(ConflictException);
      expect(error).toMatchObject({ resourceId: ids.green, resourceType: 'TARGET_GROUP', message: expect.stringContaining(`already used by service ${ids.serviceId}`) });
    });

    it('refuses a second service or target group of the same name', async () => {
      // Prepare
      const { client } = setup();
      await createColorService(client);

      // Act
      const service = await caught(client.send(new CreateServiceCommand({ name: 'colorteller' })));
      const targetGroup = await caught(createTargetGroup(client, 'colorteller-blue'));

      // Assess
      expect(service).toBeInstanceOf(ConflictException);
      expect(targetGroup).toBeInstanceOf(ConflictException);
    });
  });

  describe('throttling', () => {
    it('throws an injected ThrottlingException with retryAfterSeconds, which the attached client waits out between attempts', async () => {
      // Prepare
      const slept: number[] = [];
      const { sim, client } = setup({ random: () => 0, sleep: async (ms) => void slept.push(ms) });
      const ids = await createColorService(client);
      sim.injectFault({ operation: 'UpdateRule', times: 3 });

      // Act
      const error = await caught(shift(client, ids, 90, 10));

      // Assess
      expect(error).toBeInstanceOf(ThrottlingException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 }, retryAfterSeconds: 1 });
      expect(slept).toEqual([1000, 1000]);
      expect(sim.calls.filter((call) => call.operation === 'UpdateRule').map((call) => call.outcome)).toEqual(Array(3).fill('ThrottlingException'));
    });

    it('throttles an operation beyond its configured rate until the simulated clock refills it', async () => {
      // Prepare
      const { client, advance } = setup({ sdkMaxAttempts: 1, vpcLattice: { rateLimits: { UpdateRule: 2 } } });
      const ids = await createColorService(client);
      await shift(client, ids, 90, 10);
      await shift(client, ids, 80, 20);

      // Act
      const throttled = await caught(shift(client, ids, 70, 30));
      advance(0.5);
      const admitted = await shift(client, ids, 70, 30);

      // Assess
      expect(throttled).toBeInstanceOf(ThrottlingException);
      expect(throttled).toMatchObject({ retryAfterSeconds: 1, message: expect.stringContaining('UpdateRule') });
      expect(admitted.action).toEqual(forward({ targetGroupIdentifier: ids.blue, weight: 70 }, { targetGroupIdentifier: ids.green, weight: 30 }));
    });
  });

  describe('BatchUpdateRule', () => {
    it('is not atomic: it applies the valid updates and lists each failed one with its reason', async () => {
      // Prepare
      const { client, advance } = setup();
      const ids = await createColorService(client);
      const other = await addRule(client, ids, 'other', 20);
      const updatedAt = advance(30);

      // Act
      const result = await client.send(
        new BatchUpdateRuleCommand({
          serviceIdentifier: ids.serviceId,
          listenerIdentifier: ids.listenerId,
          rules: [
            { ruleIdentifier: ids.ruleId, action: forward({ targetGroupIdentifier: ids.blue, weight: 50 }, { targetGroupIdentifier: ids.green, weight: 50 }) },
            { ruleIdentifier: other.id, action: forward({ targetGroupIdentifier: 'tg-00000000000000000' }) },
          ],
        }),
      );

      // Assess
      expect(result.successful).toEqual([expect.objectContaining({ id: ids.ruleId, priority: 10, isDefault: false })]);
      expect(result.unsuccessful).toEqual([
        { ruleIdentifier: other.id, failureCode: 'ResourceNotFoundException', failureMessage: expect.stringContaining('tg-00000000000000000 not found') },
      ]);
      expect(await getRule(client, ids)).toMatchObject({ action: { forward: { targetGroups: [{ weight: 50 }, { weight: 50 }] } }, lastUpdatedAt: updatedAt });
      expect(await getRule(client, ids, other.id)).toMatchObject({ action: forward({ targetGroupIdentifier: ids.blue }), lastUpdatedAt: START });
    });

    it('swaps two rules\' priorities but refuses a move onto a priority a rule outside the batch keeps', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);
      const second = await addRule(client, ids, 'second', 20);
      const third = await addRule(client, ids, 'third', 30);

      // Act
      const result = await client.send(
        new BatchUpdateRuleCommand({
          serviceIdentifier: ids.serviceId,
          listenerIdentifier: ids.listenerId,
          rules: [
            { ruleIdentifier: ids.ruleId, priority: 20 },
            { ruleIdentifier: second.id, priority: 10 },
            { ruleIdentifier: third.id, priority: 20 },
          ],
        }),
      );

      // Assess
      expect(result.unsuccessful).toEqual([{ ruleIdentifier: third.id, failureCode: 'ConflictException', failureMessage: expect.stringContaining(`Priority 20 is already used by rule ${ids.ruleId}`) }]);
      expect([(await getRule(client, ids)).priority, (await getRule(client, ids, second.id)).priority, (await getRule(client, ids, third.id)).priority]).toEqual([20, 10, 30]);
    });

    it('refuses more than five rule updates as a whole with a ValidationException', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const error = await caught(
        client.send(
          new BatchUpdateRuleCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, rules: Array.from({ length: 6 }, () => ({ ruleIdentifier: ids.ruleId })) }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ message: expect.stringContaining('rules must list from 1 to 5 rule updates (got 6)') });
    });
  });

  describe('lastUpdatedAt', () => {
    it('moves with every change to a rule or listener and leaves createdAt and untouched resources alone', async () => {
      // Prepare
      const { client, advance } = setup();
      const ids = await createColorService(client);
      const other = await addRule(client, ids, 'other', 20);

      // Act
      const ruleChangedAt = advance(5);
      await shift(client, ids, 500, 499);
      const listenerChangedAt = advance(7);
      await client.send(new UpdateListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, defaultAction: forward({ targetGroupIdentifier: ids.green }) }));
      const listener = await client.send(new GetListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId }));

      // Assess
      expect(await getRule(client, ids)).toMatchObject({ createdAt: START, lastUpdatedAt: ruleChangedAt });
      expect(await getRule(client, ids, other.id)).toMatchObject({ lastUpdatedAt: START });
      expect(listener).toMatchObject({ createdAt: START, lastUpdatedAt: listenerChangedAt });
    });
  });

  describe('tags', () => {
    it('keeps the tags given at creation and merges TagResource into them', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      await client.send(new TagResourceCommand({ resourceArn: ids.serviceArn, tags: { team: 'colour', 'meshshift:policy': 'colorteller' } }));
      const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: ids.serviceArn }));
      const { tags: ruleTags } = await client.send(new ListTagsForResourceCommand({ resourceArn: ids.ruleArn }));

      // Assess
      expect(tags).toEqual({ team: 'colour', 'meshshift:policy': 'colorteller' });
      expect(ruleTags).toEqual({});
    });

    it('refuses an unknown resource and a key in the aws: namespace', async () => {
      // Prepare
      const { client } = setup();
      const ids = await createColorService(client);

      // Act
      const unknown = await caught(client.send(new ListTagsForResourceCommand({ resourceArn: `${ARN_PREFIX}service/svc-00000000000000000` })));
      const reserved = await caught(client.send(new TagResourceCommand({ resourceArn: ids.serviceArn, tags: { 'aws:owner': 'me' } })));

      // Assess
      expect(unknown).toBeInstanceOf(ResourceNotFoundException);
      expect(reserved).toBeInstanceOf(ValidationException);
      expect(reserved).toMatchObject({ message: expect.stringContaining('not starting with "aws:"') });
    });
  });

  describe('propagation', () => {
    it('gives traffic a weight change 90 seconds after it was made, by default', async () => {
      // Prepare
      const { sim, client, advance } = setup();
      const ids = await createColorService(client);
      const changedAt = advance(10);

      // Act
      await shift(client, ids, 900, 100);
      const before = sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, ids.ruleId, new Date(changedAt.getTime() + 89_999));
      const after = sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, ids.ruleId, new Date(changedAt.getTime() + 90_000));

      // Assess
      expect(before).toEqual([{ targetGroupId: ids.blue, weight: 100 }, { targetGroupId: ids.green, weight: 0 }]);
      expect(after).toEqual([{ targetGroupId: ids.blue, weight: 900 }, { targetGroupId: ids.green, weight: 100 }]);
      expect(sim.vpcLattice.settlesAt(ids.serviceId, ids.listenerId, ids.ruleId)).toEqual(new Date(changedAt.getTime() + 90_000));
    });

    it('applies successive changes in order, each its propagationSeconds late, on the simulation clock by default', async () => {
      // Prepare
      const { sim, client, advance } = setup({ vpcLattice: { propagationSeconds: 30 } });
      const ids = await createColorService(client);
      await shift(client, ids, 90, 10);
      advance(20);
      await shift(client, ids, 50, 50);
      const inForce = () => sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, ids.ruleId).map(({ weight }) => weight);

      // Act
      const atTwenty = inForce();
      advance(10);
      const atThirty = inForce();
      advance(20);
      const atFifty = inForce();

      // Assess
      expect([atTwenty, atThirty, atFifty]).toEqual([
        [100, 0],
        [90, 10],
        [50, 50],
      ]);
    });

    it('delays the listener\'s default action the same way and counts a sole target group as weight 100', async () => {
      // Prepare
      const { sim, client, advance } = setup();
      const ids = await createColorService(client);

      // Act
      await client.send(new UpdateListenerCommand({ serviceIdentifier: ids.serviceId, listenerIdentifier: ids.listenerId, defaultAction: forward({ targetGroupIdentifier: ids.green }) }));
      const pending = sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, 'default');
      advance(90);
      const applied = sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, 'default');

      // Assess
      expect(pending).toEqual([{ targetGroupId: ids.blue, weight: 100 }]);
      expect(applied).toEqual([{ targetGroupId: ids.green, weight: 100 }]);
      expect(sim.vpcLattice.rule(ids.serviceId, ids.listenerId, 'default')).toMatchObject({ isDefault: true, action: forward({ targetGroupIdentifier: ids.green }) });
    });
  });

  describe('editRuleAsPerson', () => {
    it('changes only the target groups, under the API\'s rules, and propagates like any change', async () => {
      // Prepare
      const { sim, client, advance } = setup();
      const ids = await createColorService(client);
      const editedAt = advance(3);

      // Act
      const edited = sim.vpcLattice.editRuleAsPerson(ids.serviceId, ids.listenerId, ids.ruleId, [
        { targetGroupIdentifier: ids.blue, weight: 1 },
        { targetGroupIdentifier: ids.green, weight: 3 },
      ]);
      const refused = (() => {
        try {
          return sim.vpcLattice.editRuleAsPerson(ids.serviceId, ids.listenerId, ids.ruleId, [{ targetGroupIdentifier: ids.blue, weight: 1000 }]);
        } catch (error) {
          return error;
        }
      })();

      // Assess
      expect(edited).toMatchObject({ priority: 10, match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } }, lastUpdatedAt: editedAt });
      expect(await getRule(client, ids)).toMatchObject({ action: forward({ targetGroupIdentifier: ids.blue, weight: 1 }, { targetGroupIdentifier: ids.green, weight: 3 }) });
      expect(refused).toBeInstanceOf(ValidationException);
      expect(sim.vpcLattice.weightsInForce(ids.serviceId, ids.listenerId, ids.ruleId).map(({ weight }) => weight)).toEqual([100, 0]);
    });
  });

  describe('registration in SimulatedAws', () => {
    it('routes a Lattice command sent directly to Lattice though ECS has an operation of the same name', async () => {
      // Prepare
      const sim = new SimulatedAws();

      // Act
      const output = await sim.send(new CreateServiceCommand({ name: 'colorteller' }));

      // Assess
      expect(output).toMatchObject({ id: expect.stringMatching(SERVICE_ID) });
      expect(sim.calls).toEqual([expect.objectContaining({ service: 'vpc-lattice', operation: 'CreateService', outcome: 'ok' })]);
    });

    it('attaches to every VPCLatticeClient through attachToClasses', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const detach = sim.attachToClasses([VPCLatticeClient]);

      // Act
      try {
        await new VPCLatticeClient({ region: 'us-west-2' }).send(new CreateServiceCommand({ name: 'colorteller' }));
      } finally {
        detach();
      }

      // Assess
      expect(sim.mutatingCalls().map((call) => `${call.service} ${call.operation}`)).toEqual(['vpc-lattice CreateService']);
    });
  });
});
