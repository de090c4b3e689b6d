import type { AlarmState } from '../domain/health-decision';

/** Health as alarms report it. Missing alarms are an error, not a pass. */
export interface HealthSignal {
  alarmStates(alarmNames: string[]): Promise<Record<string, AlarmState>>;
}
