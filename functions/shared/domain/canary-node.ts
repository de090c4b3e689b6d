import { InvalidInputError, NoMeshProxyError } from './errors';

/** The parts of an ECS task definition that say which App Mesh virtual node its Envoy serves. */
export interface MeshTaskDefinition {
  taskDefinitionArn?: string;
  proxyConfiguration?: { type?: string; containerName?: string };
  containerDefinitions?: Array<{ name?: string; environment?: Array<{ name?: string; value?: string }> }>;
}

export interface MeshNodeRef {
  mesh: string;
  virtualNode: string;
}

const nodeResourcePattern = /(?:^|:)mesh\/([^/]+)\/virtualNode\/([^/]+)$/;

/**
 * The virtual node a task definition's Envoy announces, from `APPMESH_RESOURCE_ARN` or the
 * older `APPMESH_VIRTUAL_NODE_NAME` on the container that `proxyConfiguration` names.
 * @example meshNodeOfTaskDefinition(taskDefinition) // { mesh: 'colorapp', virtualNode: 'colorteller-v2' }
 */
export function meshNodeOfTaskDefinition(taskDefinition: MeshTaskDefinition): MeshNodeRef {
  const name = taskDefinition.taskDefinitionArn ?? 'the task definition';
  const proxy = taskDefinition.proxyConfiguration;
  if (proxy?.type !== 'APPMESH' || !proxy.containerName) {
    throw new NoMeshProxyError(`${name} has no App Mesh proxy (proxyConfiguration of type APPMESH); meshshift cannot tell which virtual node it serves`);
  }
  const envoy = taskDefinition.containerDefinitions?.find((container) => container.name === proxy.containerName);
  if (!envoy) throw new NoMeshProxyError(`${name} names proxy container ${proxy.containerName}, which it does not define`);
  const variables = new Map((envoy.environment ?? []).map((variable) => [variable.name, variable.value]));
  const resource = variables.get('APPMESH_RESOURCE_ARN') ?? variables.get('APPMESH_VIRTUAL_NODE_NAME');
  if (!resource) {
    throw new NoMeshProxyError(`Container ${proxy.containerName} of ${name} sets neither APPMESH_RESOURCE_ARN nor APPMESH_VIRTUAL_NODE_NAME`);
  }
  const match = nodeResourcePattern.exec(resource);
  if (!match?.[1] || !match[2]) {
    throw new NoMeshProxyError(`Container ${proxy.containerName} of ${name} names "${resource}", not mesh/<mesh>/virtualNode/<node>`);
  }
  return { mesh: match[1], virtualNode: match[2] };
}

/** The parts of a virtual node spec that the canary copy must change; the rest is copied as is. */
export interface VirtualNodeSpec {
  serviceDiscovery?: {
    awsCloudMap?: { namespaceName?: string; serviceName?: string; attributes?: Array<{ key?: string; value?: string }> } & Record<string, unknown>;
    dns?: { hostname?: string } & Record<string, unknown>;
  };
  [field: string]: unknown;
}

/**
 * The canary node's spec: the stable node's listeners, health checks, backends, backend
 * defaults, logging and TLS, with service discovery narrowed to the canary's tasks.
 * @example canaryNodeSpec(stableSpec, { stableNode: 'v1', canaryNode: 'v2', canaryService: 'colorteller-green' })
 */
export function canaryNodeSpec(
  stableSpec: VirtualNodeSpec,
  names: { stableNode: string; canaryNode: string; canaryService: string; canaryDnsHostname?: string },
): VirtualNodeSpec {
  const spec = structuredClone(stableSpec);
  const discovery = spec.serviceDiscovery;
  if (discovery?.awsCloudMap) {
    discovery.awsCloudMap.attributes = [{ key: 'ECS_SERVICE_NAME', value: names.canaryService }];
  } else if (discovery?.dns) {
    discovery.dns.hostname = names.canaryDnsHostname ?? canaryHostname(discovery.dns.hostname ?? '', names);
  } else {
    throw new InvalidInputError(`Stable node ${names.stableNode} has no service discovery to copy for the canary`);
  }
  return spec;
}

function canaryHostname(stableHostname: string, names: { stableNode: string; canaryNode: string }): string {
  if (!stableHostname.includes(names.stableNode)) {
    throw new InvalidInputError(
      `Stable node ${names.stableNode} uses DNS name ${stableHostname}, which does not contain the node name; set policy.canaryDnsHostname`,
    );
  }
  return stableHostname.replace(names.stableNode, names.canaryNode);
}

/**
 * Which ECS service backs a node, from its Cloud Map `ECS_SERVICE_NAME` attribute.
 * @example ecsServiceOfNode(spec) // 'colorteller-blue'
 */
export function ecsServiceOfNode(spec: VirtualNodeSpec): string | undefined {
  return spec.serviceDiscovery?.awsCloudMap?.attributes?.find((attribute) => attribute.key === 'ECS_SERVICE_NAME')?.value;
}
