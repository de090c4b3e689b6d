import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AppMeshTrafficRouter } from '../adapters/app-mesh-traffic-router';

export const trafficRouter = new AppMeshTrafficRouter(new AppMeshClient({}));
