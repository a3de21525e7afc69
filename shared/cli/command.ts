import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Runs a command's `main` when its module is the one node was started with (`npm run <name>`), and
 * exits with its code; an error is one line on stderr, prefixed with the command's name, and exit 1.
 */
export function runWhenStarted(moduleUrl: string, name: string, main: (args: string[]) => Promise<number>): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
