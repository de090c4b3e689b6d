import {
  ParameterAlreadyExists,
  ParameterNotFound,
  type GetParameterRequest,
  type GetParameterResult,
  type Parameter,
  type PutParameterRequest,
  type PutParameterResult,
} from '@aws-sdk/client-ssm';
import { namedServiceError, serviceError } from './errors';
import { operationTable, type Operations, type SimulationContext } from './shared';

const MAX_NAME_LENGTH = 2048;
const MAX_STANDARD_VALUE_LENGTH = 4096;

type StoredParameter = Parameter & { Name: string; Value: string; Version: number };

export class SimulatedSsm {
  readonly operations: Operations = operationTable({
    GetParameter: (input: GetParameterRequest) => this.getParameter(input),
    PutParameter: (input: PutParameterRequest) => this.putParameter(input),
  });

  private readonly parameters = new Map<string, StoredParameter>();

  constructor(private readonly context: SimulationContext) {}

  private getParameter(input: GetParameterRequest): GetParameterResult {
    const parameter = input.Name === undefined ? undefined : this.parameters.get(input.Name);
    if (parameter === undefined) {
      throw serviceError('ssm', ParameterNotFound, `Parameter ${input.Name ?? ''} not found.`);
    }
    if (parameter.Type === 'SecureString' && input.WithDecryption !== true) {
      // Without decryption SSM hands back the ciphertext, so a caller that forgets to ask sees gibberish.
      return { Parameter: { ...parameter, Value: Buffer.from(parameter.Value).toString('base64') } };
    }
    return { Parameter: parameter };
  }

  private putParameter(input: PutParameterRequest): PutParameterResult {
    const { Name, Value } = input;
    if (typeof Name !== 'string' || Name.length < 1 || Name.length > MAX_NAME_LENGTH) {
      throw this.validationError(`Name must be 1-${MAX_NAME_LENGTH} characters.`);
    }
    if (typeof Value !== 'string' || Value.length > MAX_STANDARD_VALUE_LENGTH) {
      throw this.validationError(`Value is required and at most ${MAX_STANDARD_VALUE_LENGTH} characters.`);
    }
    const existing = this.parameters.get(Name);
    if (existing !== undefined && input.Overwrite !== true) {
      throw serviceError(
        'ssm',
        ParameterAlreadyExists,
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const Version = (existing?.Version ?? 0) + 1;
    this.parameters.set(Name, {
      Name,
      Type: input.Type ?? existing?.Type ?? 'String',
      Value,
      Version,
      LastModifiedDate: this.context.now(),
      ARN: `arn:aws:ssm:${this.context.region}:${this.context.accountId}:parameter/${Name.replace(/^\//, '')}`,
      DataType: input.DataType ?? existing?.DataType ?? 'text',
    });
    return { Version, Tier: 'Standard' };
  }

  /** SSM reports malformed requests as the unmodeled `ValidationException`. */
  private validationError(message: string): Error {
    return namedServiceError('ssm', 'ValidationException', message);
  }
}
