import {
  BatchUpdateRuleCommand,
  ConflictException,
  GetListenerCommand,
  type GetListenerResponse,
  GetRuleCommand,
  type GetRuleResponse,
  GetTargetGroupCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateListenerCommand,
  UpdateRuleCommand,
  ValidationException,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import { latticeRouteOf, VpcLatticeTrafficRouter } from '../../../../functions/shared/adapters/vpc-lattice-traffic-router';
import { InvalidInputError, InvalidWeightsError, ResourceMissingError, RouteEditedError, TransientAwsError } from '../../../../functions/shared/domain/errors';
import type { WeightedTarget } from '../../../../functions/shared/domain/route-spec';

const lattice = mockClient(VPCLatticeClient);

const service = 'svc-0123456789abcdef0';
const listener = 'listener-0123456789abcdef0';
const rule = 'rule-0123456789abcdef0';
const blue = 'tg-0000000000000blue';
const green = 'tg-000000000000green';
const serviceArn = `arn:aws:vpc-lattice:us-west-2:111122223333:service/${service}`;
const listenerArn = `${serviceArn}/listener/${listener}`;
const ruleArn = `${listenerArn}/rule/${rule}`;
const ref = { mesh: 'unused-by-lattice', virtualRouter: service, route: `${listener}/${rule}` };
const defaultRef = { ...ref, route: `${listener}/default` };
const readAt = new Date('2026-01-02T03:04:05.000Z');

function readRule(): GetRuleResponse {
  return {
    arn: ruleArn,
    id: rule,
    name: 'colorteller',
    isDefault: false,
    match: {
      httpMatch: {
        method: 'GET',
        pathMatch: { match: { prefix: '/color' }, caseSensitive: true },
        headerMatches: [{ name: 'x-color', match: { exact: 'blue' }, caseSensitive: false }],
      },
    },
    priority: 10,
    action: { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 100 }] } },
    createdAt: new Date('2025-12-01T00:00:00.000Z'),
    lastUpdatedAt: readAt,
  };
}

function readListener(): GetListenerResponse {
  return {
    arn: listenerArn,
    id: listener,
    name: 'http-80',
    protocol: 'HTTP',
    port: 80,
    serviceArn,
    serviceId: service,
    defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 100 }] } },
    lastUpdatedAt: readAt,
  };
}

const notFound = (message: string) => new ResourceNotFoundException({ message, resourceId: 'x', resourceType: 'x', $metadata: {} });
const canaryTargets = [
  { virtualNode: blue, weight: 900 },
  { virtualNode: green, weight: 100 },
];

function router() {
  return new VpcLatticeTrafficRouter(new VPCLatticeClient({ region: 'us-west-2' }));
}

/** Reads `route` as the test set GetRule or GetListener up, then writes `targets` over the reading. */
async function readThenWrite(route: typeof ref, targets: WeightedTarget[]): Promise<void> {
  lattice.on(UpdateRuleCommand).resolves({});
  lattice.on(UpdateListenerCommand).resolves({});
  const mesh = router();
  await mesh.writeRoutes([{ route, reading: await mesh.readRoute(route), targets }]);
}

/** Reads the rule, then writes the canary split while UpdateRule fails with `error`; returns what the write threw. */
async function writeFailingWith(error: Error): Promise<unknown> {
  lattice.on(GetRuleCommand).resolves(readRule());
  lattice.on(UpdateRuleCommand).rejects(error);
  const mesh = router();
  const reading = await mesh.readRoute(ref);
  return mesh.writeRoutes([{ route: ref, reading, targets: canaryTargets }]).catch((failure: unknown) => failure);
}

beforeEach(() => {
  lattice.reset();
});

describe('latticeRouteOf', () => {
  it.each([
    ['ids', `${listener}/${rule}`, listener, rule],
    ['the default action', `${listener}/default`, listener, 'default'],
    ['a listener ARN', `${listenerArn}/${rule}`, listenerArn, rule],
    ['a listener ARN and a rule ARN', `${listenerArn}/${ruleArn}`, listenerArn, ruleArn],
    ['a listener id and a rule ARN', `${listener}/${ruleArn}`, listener, ruleArn],
  ])('reads a route of %s', (_what, route, listenerIdentifier, ruleIdentifier) => {
    // Act
    const parsed = latticeRouteOf({ ...ref, route });

    // Assess
    expect(parsed).toEqual({ serviceIdentifier: service, listenerIdentifier, ruleIdentifier });
  });

  it.each([listener, `${listener}/`, listenerArn, ''])('refuses route "%s", naming the expected form', (route) => {
    // Act
    const parse = () => latticeRouteOf({ ...ref, route });

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow('<listener id or ARN>/<rule id or ARN>');
  });
});

describe('VpcLatticeTrafficRouter.readRoute', () => {
  it('asks GetRule for the rule and returns its target groups as targets', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves(readRule());

    // Act
    const reading = await router().readRoute(ref);

    // Assess
    expect(reading.targets).toEqual([{ virtualNode: blue, weight: 100 }]);
    expect(lattice).toHaveReceivedCommandWith(GetRuleCommand, { serviceIdentifier: service, listenerIdentifier: listener, ruleIdentifier: rule });
    expect(lattice).toHaveReceivedCommandTimes(GetListenerCommand, 0);
  });

  it("reads a listener's default action through GetListener", async () => {
    // Prepare
    lattice.on(GetListenerCommand).resolves(readListener());

    // Act
    const reading = await router().readRoute(defaultRef);

    // Assess
    expect(reading.targets).toEqual([{ virtualNode: blue, weight: 100 }]);
    expect(lattice).toHaveReceivedCommandWith(GetListenerCommand, { serviceIdentifier: service, listenerIdentifier: listener });
    expect(lattice).toHaveReceivedCommandTimes(GetRuleCommand, 0);
  });

  it('reads a lone target group without a weight as 100, its documented default', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves({ ...readRule(), action: { forward: { targetGroups: [{ targetGroupIdentifier: blue }] } } });

    // Act
    const reading = await router().readRoute(ref);

    // Assess
    expect(reading.targets).toEqual([{ virtualNode: blue, weight: 100 }]);
  });

  it('refuses a fixed-response rule, naming the rule', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves({ ...readRule(), action: { fixedResponse: { statusCode: 404 } } });

    // Act
    const read = router().readRoute(ref);

    // Assess
    await expect(read).rejects.toThrow(ResourceMissingError);
    await expect(read).rejects.toThrow(`The rule ${rule} of listener ${listener} of Lattice service ${service} returns a fixed response (HTTP 404), not a forward action`);
  });

  it('turns ResourceNotFoundException into ResourceMissingError naming the rule', async () => {
    // Prepare
    lattice.on(GetRuleCommand).rejects(notFound('Rule not found'));

    // Act
    const read = router().readRoute(ref);

    // Assess
    await expect(read).rejects.toThrow(ResourceMissingError);
    await expect(read).rejects.toThrow(`GetRule rule ${rule} of listener ${listener}`);
  });

  it('turns throttling into TransientAwsError that carries the SDK error and the wait Lattice asked for', async () => {
    // Prepare
    const throttled = new ThrottlingException({ message: 'Rate exceeded', retryAfterSeconds: 3, $metadata: {} });
    lattice.on(GetRuleCommand).rejects(throttled);

    // Act
    const error = await router()
      .readRoute(ref)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).message).toMatch(/ThrottlingException.*Lattice asked to wait 3 s/);
    expect((error as Error).cause).toBe(throttled);
  });

  it('sends nothing for a malformed route', async () => {
    // Act
    const read = router().readRoute({ ...ref, route: rule });

    // Assess
    await expect(read).rejects.toThrow(InvalidInputError);
    expect(lattice.calls()).toHaveLength(0);
  });
});

describe('VpcLatticeTrafficRouter.writeRoutes of one route', () => {
  it('sends the match and priority it read and an action with only the target groups replaced (I1)', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves(readRule());

    // Act
    await readThenWrite(ref, canaryTargets);

    // Assess
    const input = lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input;
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 1);
    expect(input).toStrictEqual({
      serviceIdentifier: service,
      listenerIdentifier: listener,
      ruleIdentifier: rule,
      match: readRule().match,
      priority: 10,
      action: {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: blue, weight: 900 },
            { targetGroupIdentifier: green, weight: 100 },
          ],
        },
      },
    });
    expect(JSON.stringify(input?.match)).toBe(JSON.stringify(readRule().match));
    expect(lattice).toHaveReceivedCommandTimes(UpdateListenerCommand, 0);
  });

  it('reads the rule again right before writing, and never sends a port', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves(readRule());

    // Act
    await readThenWrite(ref, [{ virtualNode: green, weight: 1, port: 8080 }]);

    // Assess
    expect(lattice).toHaveReceivedCommandTimes(GetRuleCommand, 2);
    expect(lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input.action).toStrictEqual({ forward: { targetGroups: [{ targetGroupIdentifier: green, weight: 1 }] } });
  });

  it("writes a listener's default action through UpdateListener with nothing but the action", async () => {
    // Prepare
    lattice.on(GetListenerCommand).resolves(readListener());

    // Act
    await readThenWrite(defaultRef, canaryTargets);

    // Assess
    expect(lattice.commandCalls(UpdateListenerCommand)[0]?.args[0].input).toStrictEqual({
      serviceIdentifier: service,
      listenerIdentifier: listener,
      defaultAction: {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: blue, weight: 900 },
            { targetGroupIdentifier: green, weight: 100 },
          ],
        },
      },
    });
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 0);
  });

  it.each([
    ['its lastUpdatedAt moved (someone changed its priority)', { priority: 20, lastUpdatedAt: new Date('2026-01-02T03:04:06.000Z') }, /lastUpdatedAt went from 2026-01-02T03:04:05.000Z to 2026-01-02T03:04:06.000Z/],
    [
      'its target groups changed',
      { action: { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 50 }] } } },
      new RegExp(`target groups went from ${blue}=100 to ${blue}=50`),
    ],
    ['it became a fixed response', { action: { fixedResponse: { statusCode: 500 } } }, /to \(no forward action\)/],
  ])('refuses with RouteEditedError and sends no update when %s since the read (I5)', async (_what, change, message) => {
    // Prepare
    lattice
      .on(GetRuleCommand)
      .resolvesOnce(readRule())
      .resolves({ ...readRule(), ...change });
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([{ route: ref, reading, targets: canaryTargets }]);

    // Assess
    await expect(write).rejects.toThrow(RouteEditedError);
    await expect(write).rejects.toThrow(message);
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 0);
  });

  it('refuses a changed default action the same way', async () => {
    // Prepare
    lattice
      .on(GetListenerCommand)
      .resolvesOnce(readListener())
      .resolves({ ...readListener(), lastUpdatedAt: new Date('2026-02-01T00:00:00.000Z') });
    const mesh = router();
    const reading = await mesh.readRoute(defaultRef);

    // Act
    const write = mesh.writeRoutes([{ route: defaultRef, reading, targets: canaryTargets }]);

    // Assess
    await expect(write).rejects.toThrow(RouteEditedError);
    expect(lattice).toHaveReceivedCommandTimes(UpdateListenerCommand, 0);
  });

  it("sends nothing when the targets break Lattice's rules (I2)", async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves(readRule());
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([{ route: ref, reading, targets: [{ virtualNode: green, weight: 1000 }] }]);

    // Assess
    await expect(write).rejects.toThrow(InvalidWeightsError);
    await expect(write).rejects.toThrow(`Weight of target group ${green} must be an integer from 0 to 999; got 1000`);
    expect(lattice).toHaveReceivedCommandTimes(GetRuleCommand, 1);
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 0);
  });

  it('writes a snapshot back exactly as Lattice returned it, whatever scale its weights use (I2, I3)', async () => {
    // Prepare
    const snapshot = [
      { targetGroupIdentifier: blue, weight: 999 },
      { targetGroupIdentifier: 'tg-00000000000000red', weight: 0 },
      { targetGroupIdentifier: green, weight: 1 },
    ];
    lattice.on(GetRuleCommand).resolves(readRule());

    // Act
    await readThenWrite(
      ref,
      snapshot.map((group) => ({ virtualNode: group.targetGroupIdentifier, weight: group.weight })),
    );

    // Assess
    expect(lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input.action).toStrictEqual({ forward: { targetGroups: snapshot } });
  });

  it.each([
    ['ConflictException', new ConflictException({ message: 'update in progress', resourceId: rule, resourceType: 'RULE', $metadata: {} }), TransientAwsError],
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }), TransientAwsError],
    ['ResourceNotFoundException', notFound('Rule not found'), ResourceMissingError],
  ])('maps %s on UpdateRule to the error the state machine expects, keeping the SDK error as cause', async (_name, error, expected) => {
    // Act
    const caught = await writeFailingWith(error);

    // Assess
    expect(caught).toBeInstanceOf(expected);
    expect((caught as Error).message).toContain(`UpdateRule rule ${rule}`);
    expect((caught as Error).cause).toBe(error);
  });

  it('passes a ValidationException through unchanged', async () => {
    // Prepare
    const invalid = new ValidationException({ message: 'bad target group', reason: 'fieldValidationFailed', $metadata: {} });

    // Act
    const caught = await writeFailingWith(invalid);

    // Assess
    expect(caught).toBe(invalid);
  });
});

describe('VpcLatticeTrafficRouter.writeRoutes of several routes (lockstep)', () => {
  const ruleIds = ['rule-0123456789abcdef0', 'rule-0123456789abcdef1', 'rule-0123456789abcdef2', 'rule-0123456789abcdef3', 'rule-0123456789abcdef4', 'rule-0123456789abcdef5', 'rule-0123456789abcdef6'];
  const otherListener = 'listener-0123456789abcdef1';
  const refOf = (ruleId: string, onListener = listener) => ({ ...ref, route: `${onListener}/${ruleId}` });

  /** Every rule as readRule() but its own id and priority, so a batch shows which update is whose. */
  function latticeWithRules(ruleIdsToServe: string[]) {
    ruleIdsToServe.forEach((ruleId, index) => lattice.on(GetRuleCommand, { ruleIdentifier: ruleId }).resolves({ ...readRule(), id: ruleId, priority: 10 + index }));
    lattice.on(GetListenerCommand).resolves(readListener());
    lattice.on(BatchUpdateRuleCommand).callsFake((input: { rules: Array<{ ruleIdentifier: string }> }) => ({ successful: input.rules.map((update) => ({ id: update.ruleIdentifier })), unsuccessful: [] }));
    lattice.on(UpdateRuleCommand).resolves({});
    lattice.on(UpdateListenerCommand).resolves({});
  }

  async function writeAll(refs: Array<typeof ref>, targets = canaryTargets): Promise<void> {
    const mesh = router();
    const writes = [];
    for (const route of refs) writes.push({ route, reading: await mesh.readRoute(route), targets });
    await mesh.writeRoutes(writes);
  }

  const batchedRules = () => lattice.commandCalls(BatchUpdateRuleCommand).map((call) => call.args[0].input.rules?.map((update) => update.ruleIdentifier));

  it("sends a listener's rules in one BatchUpdateRule, each with the match and priority it read (I1), and its default action through UpdateListener", async () => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 2));

    // Act
    await writeAll([refOf(ruleIds[0] ?? ''), defaultRef, refOf(ruleIds[1] ?? '')]);

    // Assess
    const forward = { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 900 }, { targetGroupIdentifier: green, weight: 100 }] } };
    expect(lattice.commandCalls(BatchUpdateRuleCommand)[0]?.args[0].input).toStrictEqual({
      serviceIdentifier: service,
      listenerIdentifier: listener,
      rules: [
        { ruleIdentifier: ruleIds[0], match: readRule().match, priority: 10, action: forward },
        { ruleIdentifier: ruleIds[1], match: readRule().match, priority: 11, action: forward },
      ],
    });
    expect(lattice).toHaveReceivedCommandTimes(BatchUpdateRuleCommand, 1);
    expect(lattice).toHaveReceivedCommandWith(UpdateListenerCommand, { serviceIdentifier: service, listenerIdentifier: listener, defaultAction: forward });
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 0);
  });

  it('reads every rule again before it writes any', async () => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 2));

    // Act
    await writeAll([refOf(ruleIds[0] ?? ''), refOf(ruleIds[1] ?? '')]);

    // Assess
    expect(lattice.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual(['GetRuleCommand', 'GetRuleCommand', 'GetRuleCommand', 'GetRuleCommand', 'BatchUpdateRuleCommand']);
  });

  it('splits a listener\'s rules into batches of at most 5, as RuleUpdateList allows', async () => {
    // Prepare
    latticeWithRules(ruleIds);

    // Act
    await writeAll(ruleIds.map((ruleId) => refOf(ruleId)));

    // Assess
    expect(batchedRules()).toEqual([ruleIds.slice(0, 5), ruleIds.slice(5)]);
  });

  it('writes each listener on its own: a lone rule through UpdateRule, as before batches', async () => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 3));

    // Act
    await writeAll([refOf(ruleIds[0] ?? ''), refOf(ruleIds[2] ?? '', otherListener), refOf(ruleIds[1] ?? '')]);

    // Assess
    expect(batchedRules()).toEqual([ruleIds.slice(0, 2)]);
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 1);
    expect(lattice).toHaveReceivedCommandWith(UpdateRuleCommand, { listenerIdentifier: otherListener, ruleIdentifier: ruleIds[2] });
  });

  it('writes nothing when any rule changed since it was read, naming that rule (I5)', async () => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 1));
    lattice
      .on(GetRuleCommand, { ruleIdentifier: ruleIds[1] })
      .resolvesOnce({ ...readRule(), id: ruleIds[1], priority: 11 })
      .resolves({ ...readRule(), id: ruleIds[1], priority: 11, action: { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 50 }] } } });

    // Act
    const write = writeAll([defaultRef, refOf(ruleIds[0] ?? ''), refOf(ruleIds[1] ?? '')]);

    // Assess
    await expect(write).rejects.toThrow(RouteEditedError);
    await expect(write).rejects.toThrow(`rule ${ruleIds[1]} of listener`);
    expect(lattice).toHaveReceivedCommandTimes(BatchUpdateRuleCommand, 0);
    expect(lattice).toHaveReceivedCommandTimes(UpdateRuleCommand, 0);
    expect(lattice).toHaveReceivedCommandTimes(UpdateListenerCommand, 0);
  });

  it('keeps what a partly failed batch wrote, writes the other listeners, then throws TransientAwsError naming each failed rule and its code', async () => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 3));
    lattice.on(BatchUpdateRuleCommand).resolves({
      successful: [{ id: ruleIds[0] }],
      unsuccessful: [{ ruleIdentifier: ruleIds[1], failureCode: 'ConflictException', failureMessage: 'Rule is being updated' }],
    });

    // Act
    const caught = await writeAll([refOf(ruleIds[0] ?? ''), refOf(ruleIds[1] ?? ''), refOf(ruleIds[2] ?? '', otherListener)]).catch((error: unknown) => error);

    // Assess
    expect(caught).toBeInstanceOf(TransientAwsError);
    expect((caught as Error).message).toContain(`BatchUpdateRule did not update rule ${ruleIds[1]} of listener ${listener} of Lattice service ${service} (ConflictException: Rule is being updated)`);
    expect((caught as Error).message).not.toContain(`rule ${ruleIds[0]} `);
    expect(lattice).toHaveReceivedCommandWith(UpdateRuleCommand, { listenerIdentifier: otherListener, ruleIdentifier: ruleIds[2] });
  });

  it.each([
    ['ConflictException', new ConflictException({ message: 'update in progress', resourceId: rule, resourceType: 'RULE', $metadata: {} }), /conflicted with a change in progress/],
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', retryAfterSeconds: 4, $metadata: {} }), /Lattice asked to wait 4 s/],
  ])('turns %s on BatchUpdateRule into TransientAwsError, as on UpdateRule', async (_name, error, message) => {
    // Prepare
    latticeWithRules(ruleIds.slice(0, 2));
    lattice.on(BatchUpdateRuleCommand).rejects(error);

    // Act
    const caught = await writeAll([refOf(ruleIds[0] ?? ''), refOf(ruleIds[1] ?? '')]).catch((failure: unknown) => failure);

    // Assess
    expect(caught).toBeInstanceOf(TransientAwsError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain(`BatchUpdateRule of rules ${ruleIds[0]}, ${ruleIds[1]} of listener ${listener}`);
  });
});

describe('VpcLatticeTrafficRouter.routeTags', () => {
  it("merges the service's tags with the rule's, the rule's winning", async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves(readRule());
    lattice.on(ListTagsForResourceCommand, { resourceArn: serviceArn }).resolves({ tags: { team: 'platform', 'meshshift:shared-with': 'colorteller-blue' } });
    lattice.on(ListTagsForResourceCommand, { resourceArn: ruleArn }).resolves({ tags: { 'meshshift:shared-with': 'colorteller-green' } });

    // Act
    const tags = await router().routeTags(ref);

    // Assess
    expect(tags).toEqual({ team: 'platform', 'meshshift:shared-with': 'colorteller-green' });
    expect(lattice.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input.resourceArn)).toEqual([serviceArn, ruleArn]);
  });

  it("uses the listener's ARN for a default action", async () => {
    // Prepare
    lattice.on(GetListenerCommand).resolves(readListener());
    lattice.on(ListTagsForResourceCommand).resolves({ tags: {} });

    // Act
    await router().routeTags(defaultRef);

    // Assess
    expect(lattice.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input.resourceArn)).toEqual([serviceArn, listenerArn]);
  });

  it('fails with ResourceMissingError when Lattice returns no ARN', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves({ ...readRule(), arn: undefined });

    // Act
    const tags = router().routeTags(ref);

    // Assess
    await expect(tags).rejects.toThrow(ResourceMissingError);
    expect(lattice).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
  });
});

describe('VpcLatticeTrafficRouter backends', () => {
  const backend = { mesh: 'unused-by-lattice', node: green };
  const canary = { mesh: 'unused-by-lattice', stableNode: blue, canaryNode: green, canaryService: 'colorteller-green' };

  it('finds an existing target group through GetTargetGroup', async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).resolves({ id: green, status: 'ACTIVE' });

    // Act
    const exists = await router().backendExists(backend);

    // Assess
    expect(exists).toBe(true);
    expect(lattice).toHaveReceivedCommandWith(GetTargetGroupCommand, { targetGroupIdentifier: green });
  });

  it('reports a missing target group as absent', async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).rejects(notFound('Target group not found'));

    // Act
    const exists = await router().backendExists(backend);

    // Assess
    expect(exists).toBe(false);
  });

  it('turns throttling on GetTargetGroup into TransientAwsError', async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    const exists = router().backendExists(backend);

    // Assess
    await expect(exists).rejects.toThrow(TransientAwsError);
  });

  it('accepts a canary target group made ahead of time, creating nothing', async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).resolves({ id: green });

    // Act
    const create = router().createCanaryBackend(canary);

    // Assess
    await expect(create).resolves.toBeUndefined();
    expect(lattice.calls().map((call) => call.args[0].constructor.name)).toEqual(['GetTargetGroupCommand']);
  });

  it('refuses a missing canary target group, saying where target groups come from', async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).rejects(notFound('Target group not found'));

    // Act
    const create = router().createCanaryBackend(canary);

    // Assess
    await expect(create).rejects.toThrow(ResourceMissingError);
    await expect(create).rejects.toThrow(`Lattice target group ${green} for canary service colorteller-green does not exist`);
    await expect(create).rejects.toThrow("they come from the ECS service's vpcLatticeConfigurations");
  });

  it('names no ECS service for a target group, since Lattice does not record one', async () => {
    // Act
    const owner = await router().serviceOfBackend(backend);

    // Assess
    expect(owner).toBeUndefined();
    expect(lattice.calls()).toHaveLength(0);
  });
});

describe('VpcLatticeTrafficRouter.retireBackend', () => {
  const backend = { mesh: 'unused-by-lattice', node: green };
  const otherRule = 'rule-000000000000other';

  function serviceWith(defaultGroups: string[], ruleGroups: string[]) {
    lattice.on(GetTargetGroupCommand).resolves({ id: green, arn: `arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/${green}`, serviceArns: [serviceArn] });
    lattice.on(ListListenersCommand).resolves({ items: [{ id: listener }] });
    lattice.on(ListRulesCommand).resolves({ items: [{ id: `${listener}-default`, isDefault: true }, { id: otherRule }] });
    const forward = (groups: string[]) => ({ forward: { targetGroups: groups.map((targetGroupIdentifier) => ({ targetGroupIdentifier, weight: 1 })) } });
    lattice.on(GetListenerCommand).resolves({ ...readListener(), defaultAction: forward(defaultGroups) });
    lattice.on(GetRuleCommand).resolves({ ...readRule(), id: otherRule, action: forward(ruleGroups) });
  }

  it("returns 'still-referenced' while a rule forwards to the target group", async () => {
    // Prepare
    serviceWith([blue], [blue, green]);

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('still-referenced');
    expect(lattice).toHaveReceivedCommandWith(ListListenersCommand, { serviceIdentifier: serviceArn });
    expect(lattice).toHaveReceivedCommandWith(GetRuleCommand, { serviceIdentifier: serviceArn, listenerIdentifier: listener, ruleIdentifier: otherRule });
    expect(lattice).toHaveReceivedCommandTimes(GetRuleCommand, 1);
  });

  it("returns 'still-referenced' while a default action forwards to it", async () => {
    // Prepare
    serviceWith([green], [blue]);

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('still-referenced');
  });

  it("returns 'already-gone' when no route uses it, and never deletes it", async () => {
    // Prepare
    serviceWith([blue], [blue]);

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('already-gone');
    expect(lattice.calls().map((call) => call.args[0].constructor.name)).not.toContain('DeleteTargetGroupCommand');
  });

  it('follows every page of listeners and rules', async () => {
    // Prepare
    serviceWith([blue], [blue]);
    lattice.on(ListRulesCommand).resolvesOnce({ items: [{ id: otherRule }], nextToken: 'page-2' }).resolves({ items: [{ id: rule }] });
    lattice.on(GetRuleCommand, { ruleIdentifier: rule }).resolves({ ...readRule(), action: { forward: { targetGroups: [{ targetGroupIdentifier: green, weight: 0 }] } } });

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('still-referenced');
    expect(lattice).toHaveReceivedCommandWith(ListRulesCommand, { nextToken: 'page-2' });
  });

  it("returns 'already-gone' for a target group that does not exist", async () => {
    // Prepare
    lattice.on(GetTargetGroupCommand).rejects(notFound('Target group not found'));

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('already-gone');
    expect(lattice).toHaveReceivedCommandTimes(ListListenersCommand, 0);
  });
});
