import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { version } from '../../package.json';

const root = join(__dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'meshshift-built-'));
const built = join(directory, 'meshshift.js');
const stateMachineArn = 'arn:aws:states:eu-central-1:111122223333:stateMachine:meshshift-rollout';

/** Only what a clean shell has: no AWS region, profile or credentials, so the CLI's own choices show. */
const cleanEnvironment = { PATH: process.env.PATH ?? '', HOME: directory, AWS_CONFIG_FILE: join(directory, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(directory, 'none') };

async function meshshift(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [built, ...args], { env: cleanEnvironment, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['scripts/build-cli.mjs', built], { cwd: root });
}, 60_000);

describe('the built CLI (as npm ci builds it)', () => {
  it('--version prints the package version and nothing else', async () => {
    // Act
    const run = await meshshift('--version');

    // Assess
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('status --help prints no warning', async () => {
    // Act
    const run = await meshshift('status', '--help');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: meshshift status/);
    expect(run.stderr).toBe('');
  });

  it('without a region anywhere says which flags give one, before any call', async () => {
    // Act
    const run = await meshshift('status', '--table', 'meshshift');

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('meshshift status: No AWS region: give --region, or a --state-machine-arn or --table ARN (each names its region), or set AWS_REGION\n');
  });

  it("takes the region from the state machine's ARN, sends every call to --endpoint-url, and names a missing table", async () => {
    // Prepare
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      requests.push(request.headers);
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Act
    const run = await meshshift('status', '--table', 'nosuchtable', '--state-machine-arn', stateMachineArn, '--endpoint-url', endpoint);
    server.close();

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "meshshift status: DynamoDB table nosuchtable does not exist in eu-central-1: check --table (or MESHSHIFT_TABLE; the stack's RegistryTableName output) and the region\n",
    );
    expect(requests).toHaveLength(1);
    // Signed for the ARN's region, with the placeholder keys a loopback server gets.
    expect(requests[0]?.authorization).toMatch(/Credential=meshshift-local\/\d{8}\/eu-central-1\/dynamodb\/aws4_request/);
  });
});
