import { readAllStdin, runCli } from "./cli";
import { killRunningChildren } from "./exec";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killRunningChildren();
    process.exitCode = 130;
  });
}

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  readStdin: readAllStdin,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = process.exitCode || code;
});
