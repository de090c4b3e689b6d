import { awsClients, cliPorts } from './cli-ports';
import { runCli } from './run-cli';

runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  connect: (settings) => cliPorts(settings, awsClients(settings.region)),
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}).then((code) => {
  process.exitCode = code;
});
