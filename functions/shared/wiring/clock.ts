import { type Clock, systemClock } from '../ports/clock';

/** The handlers' clock: the system's in Lambda; the local stack points `now` at its simulated clock. */
export const clock: Clock = { now: () => systemClock.now() };
