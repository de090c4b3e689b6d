/** Reads a required setting once, at module load, so a misconfigured function fails on its first start. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is required but not set`);
  return value;
}
