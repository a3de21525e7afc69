/**
 * NODE_OPTIONS every function runs with: the stack sets them, and the benchmarks run the bundled code
 * with them, so what they measure is what Lambda runs.
 * - `--enable-source-maps`: stack traces name the TypeScript source.
 * - `--max-semi-space-size=32`: V8's young generation may grow to 32 MB per semi-space instead of 16.
 *   Folding allocates short-lived objects quickly (about 3 KB per ingested event: a copy of the
 *   snapshot's top, the evaluation and its explanation, the lead); with twice the room, half as many
 *   scavenges run. In `npm run bench -- scoring` ingest's fold ran at 308–312k events/s in three runs
 *   against 188–276k with 16 MB; replay's figure swings more from run to run than it moved. V8 grows
 *   the space only under such allocation, so a function that allocates little (a notifier) keeps the
 *   small default; the 256 MB functions have room either way.
 */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps --max-semi-space-size=32";
