import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmPolicyStore } from '../adapters/ssm-policy-store';

export const ssmClient = new SSMClient({});
export const policyStore = new SsmPolicyStore(ssmClient);
