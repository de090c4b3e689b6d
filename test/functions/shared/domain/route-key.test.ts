import { routeKey } from '../../../../functions/shared/domain/route-key';

describe('routeKey', () => {
  it('keys a route by mesh, virtual router and route', () => {
    // Act
    const key = routeKey({ mesh: 'colorapp', virtualRouter: 'colorteller-vr' }, 'colorteller-route');

    // Assess
    expect(key).toBe('colorapp/colorteller-vr/colorteller-route');
  });
});
