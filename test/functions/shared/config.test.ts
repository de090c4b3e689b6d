import { configuredTrafficProviders } from '../../../functions/shared/config';

describe('configuredTrafficProviders', () => {
  it.each([
    ['appmesh', ['appmesh']],
    ['lattice', ['lattice']],
    ['appmesh,lattice', ['appmesh', 'lattice']],
  ])('reads TRAFFIC_PROVIDERS %s as template.yaml writes it', (value, providers) => {
    // Act / Assess
    expect(configuredTrafficProviders(value)).toEqual(providers);
  });

  it('allows every provider when TRAFFIC_PROVIDERS is not set, as in the tests', () => {
    // Act / Assess
    expect(configuredTrafficProviders(undefined)).toEqual(['appmesh', 'lattice']);
  });

  it.each([
    ['both', '"both"'],
    ['', '""'],
    ['appmesh, lattice', '" lattice"'],
  ])('refuses %j, naming what it does not know', (value, named) => {
    // Act
    const read = () => configuredTrafficProviders(value);

    // Assess
    expect(read).toThrow(`TRAFFIC_PROVIDERS ${JSON.stringify(value)} names ${named}; each must be one of appmesh, lattice`);
  });
});
