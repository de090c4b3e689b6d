import { routeKey } from '../../../../functions/shared/domain/route-key';

describe('routeKey', () => {
  it('keys a route by mesh, virtual router and route', () => {
    // Act
    const key = routeKey({ mesh: 'colorapp', virtualRouter: 'colorteller-vr' }, 'colorteller-route');

    // Assess
    expect(key).toBe('colorapp/colorteller-vr/colorteller-route');
  });

  it('keys an App Mesh route the same whether or not its provider is named, so leases taken before providers still match', () => {
    // Act
    const key = routeKey({ provider: 'appmesh', mesh: 'colorapp', virtualRouter: 'colorteller-vr' }, 'colorteller-route');

    // Assess
    expect(key).toBe('colorapp/colorteller-vr/colorteller-route');
  });

  it('prefixes another provider\'s key with its name, so it can never collide with an App Mesh key', () => {
    // Act
    const key = routeKey({ provider: 'lattice', mesh: '', virtualRouter: 'svc-0123456789abcdef0' }, 'listener-0123456789abcdef0/default');

    // Assess
    expect(key).toBe('lattice:svc-0123456789abcdef0/listener-0123456789abcdef0/default');
  });
});
