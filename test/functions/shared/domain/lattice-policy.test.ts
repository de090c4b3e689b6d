import { PolicyInvalidError } from '../../../../functions/shared/domain/errors';
import type { LatticePolicy } from '../../../../functions/shared/domain/lattice-policy';
import { parsePolicy } from '../../../../functions/shared/domain/policy';
import { latticePolicyDocument } from '../../../support/lattice-policy';

const withPromotion = (promotion: Record<string, unknown>) => ({ ...latticePolicyDocument, promotion });

describe('the Lattice policy\'s promotion.stableTargetGroups', () => {
  it('removes the stable target groups unless the policy says otherwise', () => {
    // Act
    const policy = parsePolicy(withPromotion({ drainSeconds: 10 })) as LatticePolicy;

    // Assess
    expect(policy.promotion.stableTargetGroups).toBe('remove');
  });

  it.each(['remove', 'keep-at-zero'])('takes "%s"', (choice) => {
    // Act
    const policy = parsePolicy(withPromotion({ stableTargetGroups: choice })) as LatticePolicy;

    // Assess
    expect(policy.promotion).toEqual({ scaleStableServiceToZero: true, drainSeconds: 30, stableTargetGroups: choice });
  });

  it.each([['zero'], ['keep'], [0], [false]])('rejects %j, naming the field and the choices', (choice) => {
    // Act
    const parse = () => parsePolicy(withPromotion({ stableTargetGroups: choice }));

    // Assess
    expect(parse).toThrow(PolicyInvalidError);
    expect(parse).toThrow('policy.promotion.stableTargetGroups: must be "remove" or "keep-at-zero"');
  });
});
