'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: a bare Node 20 or 22 runs it, no TypeScript loader */
// One cold start of the deployed alarm handler, in the fresh process bench/alarm-cold-path.ts
// starts per sample. Usage: node alarm-cold-path-child.cjs <bundle> <scenario JSON>.
// App Mesh, ECS and Step Functions are answered here, on the client classes' prototype `send`,
// patched as each client package loads so no client loads earlier than the bundle loads it;
// the registry is real DynamoDB calls to dynalite (AWS_ENDPOINT_URL_DYNAMODB).
const Module = require('node:module');

const [bundle, scenarioJson] = process.argv.slice(2);
const scenario = JSON.parse(scenarioJson);

/** CPU (every thread, user and system) and wall time since the process started. */
function mark() {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() };
}

const marks = {};
const calls = [];
const clientsLoaded = [];
let routeTargets = scenario.shiftedTargets;

function nodeSpec(service) {
  return {
    listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: service }] } },
  };
}

const answers = {
  DescribeRouteCommand: () => ({ route: { routeName: scenario.route, spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: routeTargets } } }, status: { status: 'ACTIVE' } } }),
  UpdateRouteCommand: (input) => {
    routeTargets = input.spec.httpRoute.action.weightedTargets;
    return { route: { routeName: scenario.route, spec: input.spec, status: { status: 'ACTIVE' } } };
  },
  DescribeVirtualNodeCommand: (input) => ({ virtualNode: { virtualNodeName: input.virtualNodeName, spec: nodeSpec(scenario.servicesOfNodes[input.virtualNodeName]) } }),
  DeleteVirtualNodeCommand: (input) => ({ virtualNode: { virtualNodeName: input.virtualNodeName } }),
  DescribeServicesCommand: (input) => ({ services: input.services.map((serviceName) => ({ serviceName, serviceArn: `arn:aws:ecs:us-west-2:111122223333:service/${input.cluster}/${serviceName}`, status: 'ACTIVE', desiredCount: 2 })) }),
  UpdateServiceCommand: (input) => ({ service: { serviceName: input.service, desiredCount: input.desiredCount } }),
  StopExecutionCommand: () => ({ stopDate: new Date() }),
};

/** Answers on the next turn of the event loop, as a response from the network would. */
function simulatedSend(command) {
  const name = command.constructor.name;
  // The alarm path's only route write is the restore: the moment it is sent, users are safe.
  if (name === 'UpdateRouteCommand') marks.restoringUpdateRoute ??= mark();
  calls.push(name);
  const answer = answers[name];
  if (!answer) return Promise.reject(new Error(`No simulated answer for ${name}`));
  return new Promise((resolve) => setImmediate(() => resolve(answer(command.input))));
}

const simulatedClients = { '@aws-sdk/client-app-mesh': 'AppMeshClient', '@aws-sdk/client-ecs': 'ECSClient', '@aws-sdk/client-sfn': 'SFNClient' };
const load = Module.prototype.require;
Module.prototype.require = function require(id) {
  const exports = load.apply(this, arguments);
  const clientClass = simulatedClients[id];
  if (clientClass && exports[clientClass].prototype.send !== simulatedSend) {
    exports[clientClass].prototype.send = simulatedSend;
    clientsLoaded.push({ client: clientClass, beforeRouteWasSafe: marks.restoringUpdateRoute === undefined });
  }
  return exports;
};

const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'meshshift-handle-alarm-event',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:meshshift-handle-alarm-event',
  memoryLimitInMB: '256',
  awsRequestId: '6f2c1c3e-0000-4000-8000-000000000001',
  logGroupName: '/aws/lambda/meshshift-handle-alarm-event',
  logStreamName: '2026/11/20/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

marks.beforeRequire = mark();
const { handler } = require(bundle);
marks.initialised = mark();
handler(scenario.event, context).then(
  (result) => {
    marks.handled = mark();
    process.stdout.write(`\n${JSON.stringify({ marks, result, restoredTargets: routeTargets, calls, clientsLoaded })}\n`);
    // The registry client's keep-alive sockets would hold the process open.
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
