// Runs a command and kills it when this process's stdin closes. The parent keeps the write end of our
// stdin open, so when the parent exits for any reason (even SIGKILL) the pipe closes and the child
// (the DynamoDB Local JVM) goes with it instead of living on as an orphan.
// Usage: node process-watchdog.mjs <command> [args...]
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: process-watchdog.mjs <command> [args...]\n");
  process.exit(2);
}

const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  // A JVM that ignores SIGTERM for this long is stuck; do not leave it behind.
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
}

process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
// A signal to the watchdog itself stops the child too; we leave once it has exited.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);

child.on("error", (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
