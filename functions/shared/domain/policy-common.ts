import * as z from 'zod';
import { type PresetName, presets } from './presets';

// What every provider's policy variant shares: the schedule, the health check and the version.

const weight = z.number().int('must be a whole number').min(1).max(100);

export const schedule = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('steps'), steps: z.array(weight).min(1).max(50) })
    .strict()
    .refine((value) => value.steps.every((step, index) => index === 0 || step > (value.steps[index - 1] ?? 0)), {
      message: 'must be strictly increasing',
      path: ['steps'],
    })
    .refine((value) => value.steps.at(-1) === 100, { message: 'must end at 100', path: ['steps'] }),
  z
    .object({
      type: z.literal('linear'),
      stepPercent: weight,
      everySeconds: z.number().int().min(0).max(86_400),
    })
    .strict(),
  z
    .object({
      type: z.literal('preset'),
      name: z.enum(Object.keys(presets) as [PresetName, ...PresetName[]]),
    })
    .strict(),
]);

/** The fields of version 1 that mean the same whatever carries the traffic. */
export const rolloutFields = {
  version: z.literal(1),
  schedule,
  bakeSeconds: z.number().int().min(0).max(86_400).default(60),
  alarms: z
    .array(z.string().min(1).max(255))
    .max(20)
    .refine((alarms) => new Set(alarms).size === alarms.length, 'must not name an alarm twice')
    .default([]),
  toleratedFailedChecks: z.number().int().min(0).max(10).default(0),
};

/** At most ten routes, none twice: both providers split over at most ten targets per route too. */
export function routeList<Route extends z.ZodType<string>>(route: Route) {
  return z
    .array(route)
    .min(1)
    .max(10)
    .refine((routes) => new Set(routes).size === routes.length, 'must not name a route twice');
}
