import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ResourceMissingError } from '../domain/errors';
import type { PolicyStore } from '../ports/policy-store';
import { callAws } from './aws-error';

/** Policies as SSM parameters (String or SecureString) under one prefix. */
export class SsmPolicyStore implements PolicyStore {
  constructor(private readonly client: SSMClient) {}

  async load(name: string): Promise<string> {
    const output = await callAws(
      `GetParameter ${name}`,
      () => this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      ['ParameterNotFound'],
    );
    const value = output.Parameter?.Value;
    if (value === undefined) throw new ResourceMissingError(`SSM parameter ${name} has no value`);
    return value;
  }
}
