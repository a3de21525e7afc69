/** `Name: message` for a log line; never the stack, which can carry request data. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
