import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchHealthSignal } from '../adapters/cloudwatch-health-signal';

export const cloudWatchClient = new CloudWatchClient({});
export const healthSignal = new CloudWatchHealthSignal(cloudWatchClient);
