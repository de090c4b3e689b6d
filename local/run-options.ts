import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTrafficProvider, trafficProviders, type TrafficProviderName } from '../functions/shared/domain/traffic-provider';

/** The command line is wrong: exit 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--json` may stand alone (standard output) or take a file; parseArgs needs a value either way. */
function withJsonValue(argv: string[]): string[] {
  return argv.flatMap((arg, index) => (arg === '--json' && (index === argv.length - 1 || argv[index + 1]?.startsWith('--')) ? [arg, '-'] : [arg]));
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, max: number, min = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}; got "${text}"`);
  return value;
}

/** Fails before a long run, not after it, when an output cannot be written. */
function writableFile(flag: string, path: string): string {
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`${flag} ${path} is a directory; give a file name`);
  try {
    accessSync(existsSync(full) ? full : dirname(full), constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path} cannot be written: ${existsSync(dirname(full)) ? 'permission denied' : `no directory ${dirname(full)}`}`);
  }
  return full;
}

function writableDirectory(flag: string, path: string): string {
  const full = resolve(path);
  try {
    mkdirSync(full, { recursive: true });
    accessSync(full, constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${path} is not a writable directory: ${(error as Error).message}`);
  }
  return full;
}

export interface RunOptions {
  help: boolean;
  names: string[];
  all: boolean;
  provider: TrafficProviderName;
  seed: number;
  requestsPerSecond: number;
  /** Where the JSON goes: a file, standard output (`-`), or nowhere. */
  json?: string;
  /** A file for one scenario, a directory for --all. */
  svg?: string;
  /** Once the scenarios end, keep the (last) scenario's stack up behind one loopback endpoint. */
  keep: boolean;
  /** The endpoint's port; 0 for any free one. */
  port: number;
  /** Simulated seconds per real second while kept. */
  speed: number;
}

export const defaultEndpointPort = 4566;
export const defaultSpeed = 10;

/**
 * Reads `npm start`'s flags and checks every output path before anything runs.
 * @example parseRunOptions(['--all', '--json'], ['healthy']) // { names: ['healthy'], json: '-', … }
 */
export function parseRunOptions(argv: string[], scenarioNames: string[]): RunOptions {
  let values;
  try {
    values = parseArgs({
      args: withJsonValue(argv),
      options: {
        scenario: { type: 'string' },
        all: { type: 'boolean', default: false },
        provider: { type: 'string' },
        json: { type: 'string' },
        svg: { type: 'string' },
        seed: { type: 'string' },
        rps: { type: 'string' },
        keep: { type: 'boolean', default: false },
        port: { type: 'string' },
        speed: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const all = values.all ?? false;
  if (all && values.scenario) throw new UsageError('give --scenario or --all, not both');
  const names = all ? scenarioNames : [values.scenario ?? 'healthy'];
  const unknown = names.filter((name) => !scenarioNames.includes(name));
  if (unknown.length > 0) throw new UsageError(`Unknown scenario ${unknown.join(', ')}; choose one of: ${scenarioNames.join(', ')}`);
  const provider = values.provider ?? defaultTrafficProvider;
  if (!(trafficProviders as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${trafficProviders.join(', ')}; got "${provider}"`);
  const keep = values.keep ?? false;
  // Refused rather than ignored: a mistyped --keep would otherwise pass silently.
  for (const flag of ['port', 'speed'] as const) if (!keep && values[flag] !== undefined) throw new UsageError(`--${flag} needs --keep`);
  if (keep && values.json === '-') throw new UsageError('--keep prints the commands to try on standard output: give --json a FILE');
  return {
    help: values.help ?? false,
    names,
    all,
    provider: provider as TrafficProviderName,
    seed: wholeNumber('--seed', values.seed, 1, 2 ** 31 - 1),
    requestsPerSecond: wholeNumber('--rps', values.rps, 100, 10_000, 1),
    json: values.json === undefined || values.json === '-' ? values.json : writableFile('--json', values.json),
    svg: values.svg === undefined ? undefined : all ? writableDirectory('--svg', values.svg) : writableFile('--svg', values.svg),
    keep,
    port: wholeNumber('--port', values.port, defaultEndpointPort, 65_535),
    speed: wholeNumber('--speed', values.speed, defaultSpeed, 3600, 1),
  };
}
