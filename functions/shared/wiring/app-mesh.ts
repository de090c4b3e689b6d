import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AppMeshTrafficRouter } from '../adapters/app-mesh-traffic-router';

export const appMeshClient = new AppMeshClient({});
export const trafficRouter = new AppMeshTrafficRouter(appMeshClient);
