import { serveOneSecond, type TrafficCarry } from '../../local/traffic-model';

describe('serveOneSecond', () => {
  const profiles = { v1: { errorRate: 0.01, latencyMs: 40 }, v2: { errorRate: 0.2, latencyMs: 45 } };

  it('splits requests by weight and fails each version at its own rate', () => {
    // Act
    const served = serveOneSecond(1000, [{ virtualNode: 'v1', weight: 90 }, { virtualNode: 'v2', weight: 10 }], profiles, {});

    // Assess
    expect(served).toEqual({ v1: { requests: 900, errors: 9 }, v2: { requests: 100, errors: 20 } });
  });

  it('carries fractions between seconds, so small shares are served at their true average', () => {
    // Prepare
    const carry: TrafficCarry = {};
    let canaryRequests = 0;
    let canaryErrors = 0;

    // Act: 33 rps at 10 % is 3.3 requests a second.
    for (let second = 0; second < 100; second++) {
      const served = serveOneSecond(33, [{ virtualNode: 'v1', weight: 90 }, { virtualNode: 'v2', weight: 10 }], profiles, carry);
      canaryRequests += served.v2?.requests ?? 0;
      canaryErrors += served.v2?.errors ?? 0;
    }

    // Assess
    expect(canaryRequests).toBe(330);
    expect(canaryErrors).toBe(66);
  });

  it('serves nothing to a node at weight 0', () => {
    // Act
    const served = serveOneSecond(100, [{ virtualNode: 'v1', weight: 100 }, { virtualNode: 'v2', weight: 0 }], profiles, {});

    // Assess
    expect(served).toEqual({ v1: { requests: 100, errors: 1 } });
  });
});
