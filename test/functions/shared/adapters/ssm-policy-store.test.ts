import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmPolicyStore } from '../../../../functions/shared/adapters/ssm-policy-store';
import { ResourceMissingError } from '../../../../functions/shared/domain/errors';

const ssm = mockClient(SSMClient);

function store() {
  return new SsmPolicyStore(new SSMClient({ region: 'us-west-2' }));
}

beforeEach(() => {
  ssm.reset();
});

describe('SsmPolicyStore', () => {
  it('returns the parameter text, decrypting SecureStrings', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/meshshift/colorteller', Value: '{"version":1}' } });

    // Act
    const text = await store().load('/meshshift/colorteller');

    // Assess
    expect(text).toBe('{"version":1}');
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/meshshift/colorteller', WithDecryption: true });
  });

  it('turns ParameterNotFound into ResourceMissingError naming the parameter', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));

    // Act
    const load = store().load('/meshshift/missing');

    // Assess
    await expect(load).rejects.toThrow(ResourceMissingError);
    await expect(load).rejects.toThrow('/meshshift/missing');
  });

  it('treats a parameter without value as missing', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/meshshift/empty' } });

    // Act
    const load = store().load('/meshshift/empty');

    // Assess
    await expect(load).rejects.toThrow(ResourceMissingError);
  });
});
