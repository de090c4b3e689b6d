import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchHealthSignal } from '../adapters/cloudwatch-health-signal';

export const healthSignal = new CloudWatchHealthSignal(new CloudWatchClient({}));
