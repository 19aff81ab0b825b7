/**
 * Helpers shared by the test files (not used by product code).
 */
import { StratumError } from './errors.ts';

/**
 * Calls `fn` and returns the {@link StratumError} it throws.
 *
 * @throws the error itself when it is not a StratumError; an Error when `fn` does not throw
 */
export function thrown(fn: () => unknown): StratumError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StratumError) return error;
    throw error;
  }
  throw new Error('expected a StratumError');
}

/**
 * Awaits `promise` and returns the {@link StratumError} it rejects with (the async {@link thrown}).
 *
 * @throws the rejection itself when it is not a StratumError; an Error when `promise` resolves
 */
export async function rejection(promise: Promise<unknown>): Promise<StratumError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StratumError) return error;
    throw error;
  }
  throw new Error('expected a StratumError');
}
