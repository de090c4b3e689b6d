import { canaryNodeSpec, ecsServiceOfNode, type MeshTaskDefinition, meshNodeOfTaskDefinition, type VirtualNodeSpec } from '../../../../functions/shared/domain/canary-node';
import { InvalidInputError, NoMeshProxyError } from '../../../../functions/shared/domain/errors';

const taskDefinitionArn = 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-green:7';

function taskDefinition(environment: Array<{ name?: string; value?: string }>, overrides: Partial<MeshTaskDefinition> = {}): MeshTaskDefinition {
  return {
    taskDefinitionArn,
    proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' },
    containerDefinitions: [{ name: 'app', environment: [{ name: 'COLOR', value: 'green' }] }, { name: 'envoy', environment }],
    ...overrides,
  };
}

describe('meshNodeOfTaskDefinition', () => {
  it('reads the node from a full APPMESH_RESOURCE_ARN', () => {
    // Prepare
    const definition = taskDefinition([{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:111122223333:mesh/colorapp/virtualNode/colorteller-v2' }]);

    // Act
    const node = meshNodeOfTaskDefinition(definition);

    // Assess
    expect(node).toEqual({ mesh: 'colorapp', virtualNode: 'colorteller-v2' });
  });

  it('reads the node from the older APPMESH_VIRTUAL_NODE_NAME', () => {
    // Prepare
    const definition = taskDefinition([{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/m/virtualNode/n' }]);

    // Act
    const node = meshNodeOfTaskDefinition(definition);

    // Assess
    expect(node).toEqual({ mesh: 'm', virtualNode: 'n' });
  });

  it('prefers APPMESH_RESOURCE_ARN when both are set', () => {
    // Prepare
    const definition = taskDefinition([
      { name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/old/virtualNode/old-node' },
      { name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:111122223333:mesh/new/virtualNode/new-node' },
    ]);

    // Act
    const node = meshNodeOfTaskDefinition(definition);

    // Assess
    expect(node).toEqual({ mesh: 'new', virtualNode: 'new-node' });
  });

  it('reads the environment of the container the proxy configuration names, not another one', () => {
    // Prepare
    const definition = taskDefinition([{ name: 'APPMESH_RESOURCE_ARN', value: 'mesh/colorapp/virtualNode/right' }], {
      proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' },
    });
    definition.containerDefinitions?.unshift({ name: 'sidecar', environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'mesh/colorapp/virtualNode/wrong' }] });

    // Act
    const node = meshNodeOfTaskDefinition(definition);

    // Assess
    expect(node.virtualNode).toBe('right');
  });

  it.each<[string, MeshTaskDefinition, RegExp]>([
    ['no proxy configuration', { taskDefinitionArn, containerDefinitions: [{ name: 'envoy', environment: [] }] }, /has no App Mesh proxy/],
    ['a proxy that is not APPMESH', taskDefinition([], { proxyConfiguration: { type: 'OTHER', containerName: 'envoy' } }), /has no App Mesh proxy/],
    ['a proxy without a container name', taskDefinition([], { proxyConfiguration: { type: 'APPMESH' } }), /has no App Mesh proxy/],
    ['a proxy container it does not define', taskDefinition([], { proxyConfiguration: { type: 'APPMESH', containerName: 'sidecar' } }), /names proxy container sidecar, which it does not define/],
    ['no mesh variable on the proxy', taskDefinition([{ name: 'ENVOY_LOG_LEVEL', value: 'info' }]), /sets neither APPMESH_RESOURCE_ARN nor APPMESH_VIRTUAL_NODE_NAME/],
    ['an empty mesh variable', taskDefinition([{ name: 'APPMESH_RESOURCE_ARN', value: '' }]), /sets neither/],
    ['a bare node name', taskDefinition([{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'colorteller-v2' }]), /"colorteller-v2", not mesh\/<mesh>\/virtualNode\/<node>/],
    ['a virtual gateway', taskDefinition([{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:111122223333:mesh/colorapp/virtualGateway/gw' }]), /not mesh\/<mesh>\/virtualNode/],
    ['a node path with an extra segment', taskDefinition([{ name: 'APPMESH_RESOURCE_ARN', value: 'mesh/colorapp/virtualNode/v2/extra' }]), /not mesh\/<mesh>\/virtualNode/],
  ])('throws NoMeshProxyError for %s', (_case, definition, message) => {
    // Act
    const read = () => meshNodeOfTaskDefinition(definition);

    // Assess
    expect(read).toThrow(NoMeshProxyError);
    expect(read).toThrow(message);
  });

  it('names the task definition in the error so a person can find it', () => {
    // Act
    const read = () => meshNodeOfTaskDefinition({ taskDefinitionArn });

    // Assess
    expect(read).toThrow(taskDefinitionArn);
  });
});

describe('canaryNodeSpec', () => {
  const names = { stableNode: 'colorteller-v1', canaryNode: 'colorteller-v2', canaryService: 'colorteller-green' };
  const sharedParts = {
    listeners: [{ portMapping: { port: 9080, protocol: 'http' }, healthCheck: { protocol: 'http', path: '/ping', healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000 } }],
    backends: [{ virtualService: { virtualServiceName: 'tcpecho.colorapp.local' } }],
    backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/ca'] } } } } } },
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
  };

  it('copies listeners, backends, backend defaults, logging and TLS and narrows Cloud Map to the canary service', () => {
    // Prepare
    const stable: VirtualNodeSpec = {
      ...sharedParts,
      serviceDiscovery: {
        awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: 'colorteller-blue' }, { key: 'STAGE', value: 'prod' }] },
      },
    };
    const before = structuredClone(stable);

    // Act
    const spec = canaryNodeSpec(stable, names);

    // Assess
    expect(spec).toStrictEqual({
      ...before,
      serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: 'colorteller-green' }] } },
    });
    expect(stable).toStrictEqual(before);
  });

  it('derives the canary DNS hostname from the stable one by node name', () => {
    // Prepare
    const stable: VirtualNodeSpec = { ...sharedParts, serviceDiscovery: { dns: { hostname: 'colorteller-v1.colorapp.local', responseType: 'ENDPOINTS' } } };

    // Act
    const spec = canaryNodeSpec(stable, names);

    // Assess
    expect(spec.serviceDiscovery).toStrictEqual({ dns: { hostname: 'colorteller-v2.colorapp.local', responseType: 'ENDPOINTS' } });
    expect(spec.listeners).toStrictEqual(sharedParts.listeners);
  });

  it('uses the policy canaryDnsHostname when given', () => {
    // Prepare
    const stable: VirtualNodeSpec = { serviceDiscovery: { dns: { hostname: 'teller.colorapp.local' } } };

    // Act
    const spec = canaryNodeSpec(stable, { ...names, canaryDnsHostname: 'teller-canary.colorapp.local' });

    // Assess
    expect(spec.serviceDiscovery?.dns?.hostname).toBe('teller-canary.colorapp.local');
  });

  it('refuses to guess a DNS hostname that does not contain the stable node name', () => {
    // Prepare
    const stable: VirtualNodeSpec = { serviceDiscovery: { dns: { hostname: 'teller.colorapp.local' } } };

    // Act
    const build = () => canaryNodeSpec(stable, names);

    // Assess
    expect(build).toThrow(InvalidInputError);
    expect(build).toThrow(/set policy.canaryDnsHostname/);
  });

  it('refuses a stable node without service discovery', () => {
    // Act
    const build = () => canaryNodeSpec({ listeners: [] }, names);

    // Assess
    expect(build).toThrow(InvalidInputError);
    expect(build).toThrow(/no service discovery/);
  });
});

describe('ecsServiceOfNode', () => {
  it('reads the ECS_SERVICE_NAME Cloud Map attribute', () => {
    // Act
    const service = ecsServiceOfNode({ serviceDiscovery: { awsCloudMap: { attributes: [{ key: 'OTHER', value: 'x' }, { key: 'ECS_SERVICE_NAME', value: 'colorteller-blue' }] } } });

    // Assess
    expect(service).toBe('colorteller-blue');
  });

  it.each<[string, VirtualNodeSpec]>([
    ['DNS discovery', { serviceDiscovery: { dns: { hostname: 'x.local' } } }],
    ['Cloud Map without the attribute', { serviceDiscovery: { awsCloudMap: { attributes: [] } } }],
    ['no discovery', {}],
  ])('knows no service for %s', (_case, spec) => {
    // Act
    const service = ecsServiceOfNode(spec);

    // Assess
    expect(service).toBeUndefined();
  });
});
