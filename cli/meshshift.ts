import { connectToAws } from './cli-ports';
import { runCli } from './run-cli';

// The SDK warns on every run that its releases from 2027 will need Node 22. That is for whoever
// upgrades meshshift's dependencies, not for an operator running a command; set it to false to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  connect: connectToAws,
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  interactive: Boolean(process.stdout.isTTY),
}).then((code) => {
  process.exitCode = code;
});
