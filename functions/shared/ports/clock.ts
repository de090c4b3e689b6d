/** Where time comes from. AWS gives the system clock; the local stack gives its simulated one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
