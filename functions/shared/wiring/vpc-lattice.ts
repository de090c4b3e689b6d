import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { VpcLatticeTrafficRouter } from '../adapters/vpc-lattice-traffic-router';

export const trafficRouter = new VpcLatticeTrafficRouter(new VPCLatticeClient({}));
