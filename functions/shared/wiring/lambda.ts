import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaLifecycleHooks } from '../adapters/lambda-lifecycle-hooks';

/**
 * How long a hook may take to answer synchronously: inside Run hook's 60 s timeout with room to
 * end the task. A longer check answers { "pending": true } and replies with the task token.
 */
const synchronousAnswerSeconds = 50;

export const lifecycleHooks = new LambdaLifecycleHooks(new LambdaClient({ requestHandler: { requestTimeout: synchronousAnswerSeconds * 1000 } }), synchronousAnswerSeconds);
