import { ownershipProblem, servicesNamedBy, type RouteOwnershipFacts } from '../../../../functions/shared/domain/route-ownership';

const facts = (overrides: Partial<RouteOwnershipFacts> = {}): RouteOwnershipFacts => ({
  route: 'colorteller-route',
  targets: [{ virtualNode: 'colorteller-v1', weight: 100 }],
  serviceOfNode: { 'colorteller-v1': 'colorteller-blue' },
  pairsOfService: { 'colorteller-blue': ['colorteller-green'] },
  sharedWith: [],
  ...overrides,
});

describe('ownershipProblem', () => {
  it('accepts a route whose nodes select the deploying service or a service that names it as its pair', () => {
    // Act
    const problem = ownershipProblem('colorteller-green', facts({ targets: [{ virtualNode: 'colorteller-v1', weight: 8 }, { virtualNode: 'colorteller-v2', weight: 2 }], serviceOfNode: { 'colorteller-v1': 'colorteller-blue', 'colorteller-v2': 'colorteller-green' } }));

    // Assess
    expect(problem).toBeUndefined();
  });

  it('refuses another team\'s route, naming the route, the node and the service, even at weight 0', () => {
    // Act
    const problem = ownershipProblem('payments', facts({ targets: [{ virtualNode: 'colorteller-v1', weight: 0 }] }));

    // Assess
    expect(problem).toBe(
      'route colorteller-route names node colorteller-v1, which selects ECS service colorteller-blue; colorteller-blue does not name payments in its meshshift:pair tag, and the route has no meshshift:shared-with tag granting it',
    );
  });

  it('refuses a node whose discovery names no service (DNS), since ownership cannot be proven', () => {
    // Act
    const problem = ownershipProblem('colorteller-green', facts({ serviceOfNode: { 'colorteller-v1': undefined } }));

    // Assess
    expect(problem).toContain('which no ECS service can be shown to run');
  });

  it.each([['payments'], ['*']])('accepts any route the platform granted with meshshift:shared-with %s', (grant) => {
    // Act
    const problem = ownershipProblem('payments', facts({ sharedWith: servicesNamedBy(`reporting, ${grant}`) }));

    // Assess
    expect(problem).toBeUndefined();
  });
});

describe('servicesNamedBy', () => {
  it('splits a comma-separated tag value and drops blanks', () => {
    expect(servicesNamedBy(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(servicesNamedBy(undefined)).toEqual([]);
  });

  it('splits on spaces too, the one separator ECS and Lattice tag values allow', () => {
    expect(servicesNamedBy('reporting  payments colorteller-blue')).toEqual(['reporting', 'payments', 'colorteller-blue']);
  });
});
