import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'meshshift' });

/**
 * Wraps a handler with Middy and the Powertools logger. Errors are logged with their
 * cause and rethrown unchanged: their `name` is what the state machine's Retry/Catch match.
 */
export function lambdaHandler<Event, Result>(operation: string, handle: (event: Event, context: Context) => Promise<Result>) {
  return middy(async (event: Event, context: Context) => {
    try {
      return await handle(event, context);
    } catch (error) {
      logger.error(`${operation} failed`, { error: error as Error, cause: (error as Error)?.cause as Error });
      throw error;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
