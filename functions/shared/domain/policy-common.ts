import * as z from 'zod';
import { hooksSchema } from './lifecycle-hooks';
import { type PresetName, presets } from './presets';

// What every provider's policy variant shares: the schedule, the health check and the version.

const weight = z.number().int('must be a whole number').min(1).max(100);

/** What a timed pause does when its seconds run out: go on to the next step, roll back, or stay paused for a person. */
export const pauseEnds = ['promote', 'roll-back', 'stay'] as const;

const pauseStep = z
  .object({
    pause: z
      .object({
        seconds: z.number().int('must be a whole number').min(1).max(86_400).optional(),
        then: z.enum(pauseEnds).optional(),
      })
      .strict()
      .refine((pause) => pause.then === undefined || pause.seconds !== undefined, {
        message: 'says what happens when the seconds run out: give seconds too, or leave then out to wait for a person',
        path: ['then'],
      }),
  })
  .strict();

export type PauseStep = z.output<typeof pauseStep>;
export type ScheduleStep = number | PauseStep;

/** A number is a weight and anything else a pause, so a mistake is told against what it was meant as. */
const scheduleStep = z.unknown().transform((value, context): ScheduleStep => {
  if (typeof value !== 'number' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    context.addIssue({ code: 'custom', message: 'must be a weight from 1 to 100 or a pause such as { "pause": {} }' });
    return z.NEVER;
  }
  const result = (typeof value === 'number' ? weight : pauseStep).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const isWeight = (step: ScheduleStep): step is number => typeof step === 'number';

export const schedule = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('steps'), steps: z.array(scheduleStep).min(1).max(50) })
    .strict()
    .refine((value) => value.steps.filter(isWeight).every((step, index, weights) => index === 0 || step > (weights[index - 1] ?? 0)), {
      message: 'must be strictly increasing',
      path: ['steps'],
    })
    .refine((value) => value.steps.filter(isWeight).at(-1) === 100, { message: 'must end at 100', path: ['steps'] })
    .superRefine((value, context) => {
      value.steps.forEach((step, index) => {
        if (isWeight(step)) return;
        const previous = value.steps[index - 1];
        if (previous === undefined) context.addIssue({ code: 'custom', message: 'a pause follows a weight: it waits at the weight before it', path: ['steps', index] });
        else if (!isWeight(previous)) context.addIssue({ code: 'custom', message: 'must not follow another pause', path: ['steps', index] });
      });
    }),
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
  /** Lambda functions the rollout asks before it goes on (lifecycle-hooks.ts); their names must start with the stack's HookFunctionPrefix. */
  hooks: hooksSchema.optional(),
};

/** At most ten routes, none twice: both providers split over at most ten targets per route too. */
export function routeList<Route extends z.ZodType<string>>(route: Route) {
  return z
    .array(route)
    .min(1)
    .max(10)
    .refine((routes) => new Set(routes).size === routes.length, 'must not name a route twice');
}
