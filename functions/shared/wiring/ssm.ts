import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmPolicyStore } from '../adapters/ssm-policy-store';

/** Loaded through ./on-first-use: a policy given inline needs no SSM client at all. */
export const policyStore = new SsmPolicyStore(new SSMClient({}));
