import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SimulatedAws } from '../../../local/simulated-aws';

const NAME = '/meshshift/policies/colorteller';

function setup() {
  const sim = new SimulatedAws();
  const client = sim.attach(new SSMClient({ region: 'us-west-2' }));
  return { sim, client };
}

describe('simulated SSM Parameter Store', () => {
  it('stores a parameter at version 1 and returns it from GetParameter', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const put = await client.send(new PutParameterCommand({ Name: NAME, Value: '{"steps":[10,50,100]}', Type: 'String' }));
    const { Parameter } = await client.send(new GetParameterCommand({ Name: NAME }));

    // Assess
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(Parameter).toEqual({
      Name: NAME,
      Type: 'String',
      Value: '{"steps":[10,50,100]}',
      Version: 1,
      LastModifiedDate: expect.any(Date),
      ARN: 'arn:aws:ssm:us-west-2:111122223333:parameter/meshshift/policies/colorteller',
      DataType: 'text',
    });
  });

  it('answers GetParameter for a missing name with ParameterNotFound', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const error = await client.send(new GetParameterCommand({ Name: '/meshshift/ghost' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ParameterNotFound);
    expect(error).toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses to replace a parameter without Overwrite and keeps the old value', async () => {
    // Prepare
    const { client } = setup();
    await client.send(new PutParameterCommand({ Name: NAME, Value: 'one', Type: 'String' }));

    // Act
    const error = await client.send(new PutParameterCommand({ Name: NAME, Value: 'two', Type: 'String' })).catch((caught: unknown) => caught);
    const { Parameter } = await client.send(new GetParameterCommand({ Name: NAME }));

    // Assess
    expect(error).toBeInstanceOf(ParameterAlreadyExists);
    expect(Parameter).toMatchObject({ Value: 'one', Version: 1 });
  });

  it('replaces the value and increments the version with Overwrite', async () => {
    // Prepare
    const { client } = setup();
    await client.send(new PutParameterCommand({ Name: NAME, Value: 'one', Type: 'String' }));

    // Act
    const put = await client.send(new PutParameterCommand({ Name: NAME, Value: 'two', Overwrite: true }));
    const { Parameter } = await client.send(new GetParameterCommand({ Name: NAME }));

    // Assess
    expect(put.Version).toBe(2);
    expect(Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
  });

  it('returns a SecureString in plain text only with WithDecryption', async () => {
    // Prepare
    const { client } = setup();
    await client.send(new PutParameterCommand({ Name: NAME, Value: 'secret-policy', Type: 'SecureString' }));

    // Act
    const encrypted = await client.send(new GetParameterCommand({ Name: NAME }));
    const decrypted = await client.send(new GetParameterCommand({ Name: NAME, WithDecryption: true }));

    // Assess
    expect(encrypted.Parameter?.Value).not.toBe('secret-policy');
    expect(decrypted.Parameter?.Value).toBe('secret-policy');
  });

  it('rejects a parameter without a value', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const error = await client.send(new PutParameterCommand({ Name: NAME, Value: undefined })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});
