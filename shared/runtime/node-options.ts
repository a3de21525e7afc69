/**
 * NODE_OPTIONS every function runs with: the stack sets them, and the benchmarks run the bundled code
 * with them, so what they measure is what Lambda runs.
 * - `--enable-source-maps`: stack traces name the TypeScript source.
 * - `--max-semi-space-size=32`: V8's young generation may grow to 32 MB per semi-space instead of 16.
 *   Folding a history allocates short-lived objects quickly (events read, marks, evaluations); with
 *   twice the room, half as many scavenges copy the same live lead, which makes replay about a fifth
 *   faster (`npm run bench -- scoring`). V8 grows the space only under such allocation, so a function
 *   that allocates little (a notifier) keeps the small default; the 256 MB functions have room either way.
 */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps --max-semi-space-size=32";
