/** The color app's policy on VPC Lattice: colorteller-blue serves the rule, colorteller rolls out. */
export const latticePolicyDocument = {
  version: 1,
  provider: 'lattice',
  service: 'svc-0123456789abcdef0',
  routes: ['listener-0123456789abcdef0/rule-0123456789abcdef0'],
  stableService: 'colorteller-blue',
  schedule: { type: 'steps', steps: [10, 50, 100] },
};
