import { type Context, Resolver, TEST_CONTEXT, loadProjectTemplate, policyInventory, withParameters } from './cfn';

const template = loadProjectTemplate();
const resolverFor = (context: Context = TEST_CONTEXT) => new Resolver(template, context);

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
