export { SimulatedAws } from './simulated-aws';
export type { CallListener, EventListener, FaultInjection, SimulatedAwsOptions, SimulatedCall } from './simulated-aws';
export type { SimulatedAppMesh } from './app-mesh';
export type { SimulatedEcs } from './ecs';
export type { BusEvent, PublishedEvent, SimulatedEventBridge } from './eventbridge';
export type { SimulatedCloudWatch } from './cloudwatch';
export type { SimulatedSsm } from './ssm';
export type { SimulatedVpcLattice, SimulatedVpcLatticeOptions, WeightInForce } from './vpc-lattice';
export type {
  AlarmStateSnapshot,
  CloudWatchAlarmStateChangeEvent,
  EcsDeploymentEventName,
  EcsDeploymentStateChangeEvent,
  ServiceName,
  SimulatedEvent,
} from './shared';
