import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { PseudonymSource } from "#shared/application/ports/lead-store";
import { NotConfiguredError } from "#shared/domain/errors";
import { DEVELOPMENT_ID_KEY, MIN_ID_KEY_LENGTH, type Pseudonyms, pseudonyms } from "#shared/domain/pseudonyms";

/**
 * The pseudonyms of this deployment. In AWS the key is a secret of its own that the stack generates
 * (RIPEN_ID_KEY_ARN names it; read once, it never changes); elsewhere RIPEN_ID_KEY. The development key
 * is accepted only by the local runtime (RIPEN_LOCAL): a stack that somehow got it refuses to hash
 * anyone with it, and answers 503 until an operator sets a real key.
 */
export function pseudonymSource(env: NodeJS.ProcessEnv = process.env): PseudonymSource {
  let loading: Promise<Pseudonyms> | undefined;
  return () => {
    loading ??= loadKey(env)
      .then(pseudonyms)
      .catch((error: unknown) => {
        // Not cached: the next request tries again (a secret being created, a passing network error).
        loading = undefined;
        throw error;
      });
    return loading;
  };
}

async function loadKey(env: NodeJS.ProcessEnv): Promise<string> {
  let key: unknown = env.RIPEN_ID_KEY;
  if (env.RIPEN_ID_KEY_ARN) {
    key = await getSecret(env.RIPEN_ID_KEY_ARN, { maxAge: 24 * 60 * 60 });
  }
  if (typeof key !== "string" || key === "") {
    throw new NotConfiguredError("no lead id key: set RIPEN_ID_KEY (RIPEN_ID_KEY_ARN in AWS)");
  }
  if (key.length < MIN_ID_KEY_LENGTH) {
    throw new NotConfiguredError(`the lead id key is shorter than ${MIN_ID_KEY_LENGTH} characters`);
  }
  // A key of its own: a signing secret a sender also holds would let that sender compute lead ids.
  const shared = Object.entries(env).find(
    ([name, value]) => value === key && (name.startsWith("RIPEN_SECRET_") || name === "SLACK_SIGNING_SECRET"),
  );
  if (shared) throw new NotConfiguredError(`the lead id key must not be the value of ${shared[0]}`);
  if (key === DEVELOPMENT_ID_KEY && !env.RIPEN_LOCAL) {
    throw new NotConfiguredError("the development lead id key is refused outside the local runtime");
  }
  return key;
}
