/**
 * A span of seconds as people read it.
 * @example duration(250) // '4m10s'
 * @example duration(777_600) // '9d00h00m'
 */
export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  const days = Math.floor(whole / 86_400);
  const hours = Math.floor((whole % 86_400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  if (days > 0) return `${days}d${pad(hours)}h${pad(minutes)}m`;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 ? pad(minutes) : minutes}m${pad(rest)}s`;
}

/**
 * A moment in UTC to the second: what an operator compares with logs and the console.
 * @example timestamp(new Date('2026-11-22T10:00:03.250Z')) // '2026-11-22 10:00:03Z'
 */
export function timestamp(date: Date | string): string {
  return new Date(date).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}
