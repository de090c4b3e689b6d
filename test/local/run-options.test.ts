import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunOptions } from '../../local/run-options';

const names = ['healthy', 'bad-canary'];

describe('parseRunOptions', () => {
  it('defaults to the healthy scenario, seed 1, 100 requests per second, no outputs', () => {
    // Act
    const options = parseRunOptions([], names);

    // Assess
    expect(options).toEqual({ help: false, names: ['healthy'], all: false, provider: 'appmesh', seed: 1, requestsPerSecond: 100, json: undefined, svg: undefined, keep: false, port: 4566, speed: 10 });
  });

  it('keeps the stack up with --keep, on --port (0 for any free one) at --speed simulated seconds per real second', () => {
    // Act
    const defaults = parseRunOptions(['--keep'], names);
    const chosen = parseRunOptions(['--keep', '--port', '0', '--speed', '60', '--provider', 'lattice'], names);

    // Assess
    expect(defaults).toMatchObject({ keep: true, port: 4566, speed: 10 });
    expect(chosen).toMatchObject({ keep: true, port: 0, speed: 60, provider: 'lattice' });
  });

  it('lays the app out on VPC Lattice with --provider lattice', () => {
    // Act
    const options = parseRunOptions(['--provider', 'lattice', '--all'], names);

    // Assess
    expect(options.provider).toBe('lattice');
    expect(options.names).toEqual(names);
  });

  it('sends --json alone to standard output, and --json FILE to that file', () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'meshshift-options-'));

    // Act
    const alone = parseRunOptions(['--json', '--all'], names);
    const last = parseRunOptions(['--all', '--json'], names);
    const file = parseRunOptions(['--json', join(directory, 'r.json')], names);

    // Assess
    expect(alone.json).toBe('-');
    expect(alone.names).toEqual(names);
    expect(last.json).toBe('-');
    expect(file.json).toBe(join(directory, 'r.json'));
  });

  it('creates the --svg directory for --all', () => {
    // Prepare
    const directory = join(mkdtempSync(join(tmpdir(), 'meshshift-options-')), 'svg');

    // Act
    const options = parseRunOptions(['--all', '--svg', directory], names);

    // Assess
    expect(options.svg).toBe(directory);
  });

  it.each([
    [['--scenario', 'nope'], 'Unknown scenario nope; choose one of: healthy, bad-canary'],
    [['--rps', 'lots'], '--rps must be a whole number from 1 to 10000; got "lots"'],
    [['--rps', '0'], '--rps must be a whole number from 1 to 10000; got "0"'],
    [['--rps', '1e9'], '--rps must be a whole number from 1 to 10000; got "1e9"'],
    [['--seed', '1.5'], '--seed must be a whole number from 0 to 2147483647; got "1.5"'],
    [['--seed=-3'], '--seed must be a whole number from 0 to 2147483647; got "-3"'],
    [['--seed', '99999999999'], '--seed must be a whole number from 0 to 2147483647; got "99999999999"'],
    [['--colour'], "Unknown option '--colour'"],
    [['--provider', 'istio'], '--provider must be one of appmesh, lattice; got "istio"'],
    [['--all', '--scenario', 'healthy'], 'give --scenario or --all, not both'],
    [['--json', '/no/such/directory/report.json'], '--json /no/such/directory/report.json cannot be written: no directory /no/such/directory'],
    [['--svg', '/'], '--svg / is a directory; give a file name'],
    [['--all', '--svg', '/proc/version'], '--svg /proc/version is not a writable directory'],
    [['--keep', '--port', '65536'], '--port must be a whole number from 0 to 65535; got "65536"'],
    [['--keep', '--port', 'http'], '--port must be a whole number from 0 to 65535; got "http"'],
    [['--keep', '--speed', '0'], '--speed must be a whole number from 1 to 3600; got "0"'],
    [['--keep', '--speed', '2.5'], '--speed must be a whole number from 1 to 3600; got "2.5"'],
    [['--port', '8080'], '--port needs --keep'],
    [['--speed', '100'], '--speed needs --keep'],
    [['--keep', '--json'], '--keep prints the commands to try on standard output: give --json a FILE'],
  ])('%j is refused, naming the flag and the value', (args, message) => {
    // Act
    const parse = () => parseRunOptions(args, names);

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }));
  });
});
