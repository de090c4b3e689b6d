/** The familiar schedules of CodeDeploy / ECS, expressed as steps. */
export const presets = {
  Canary10Percent5Minutes: { weights: [10, 100], bakeSeconds: 300 },
  Canary10Percent15Minutes: { weights: [10, 100], bakeSeconds: 900 },
  Linear10PercentEvery1Minute: { weights: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], bakeSeconds: 60 },
  Linear10PercentEvery3Minutes: { weights: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], bakeSeconds: 180 },
  AllAtOnce: { weights: [100], bakeSeconds: 0 },
} as const;
export type PresetName = keyof typeof presets;
