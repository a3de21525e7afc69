import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretProvider } from "#shared/application/ports/webhook-source";

/** Secrets from the environment (and a .env file loaded into it): the local runtime and tests. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return {
    async get(name) {
      const value = env[name];
      return value === undefined || value === "" ? undefined : value;
    },
  };
}

/**
 * Secrets from one Secrets Manager secret holding a JSON object keyed by the same names
 * (RIPEN_SECRET_TYPEFORM, SLACK_SIGNING_SECRET, ...), read with Powertools Parameters and cached
 * for five minutes so a rotation is picked up without a redeploy. Imported statically: in a bundle, a
 * dynamic import turns every module it reaches (the SDK's core, shared with the DynamoDB client) into a
 * lazily initialised copy that costs more at init than evaluating the Secrets Manager client's module.
 */
export function secretsManagerSecrets(secretArn: string): SecretProvider {
  return {
    async get(name) {
      const values = (await getSecret(secretArn, { transform: "json", maxAge: 300 })) as Record<string, unknown>;
      const value = values?.[name];
      return typeof value === "string" && value !== "" ? value : undefined;
    },
  };
}

/** Secrets Manager in AWS (RIPEN_SECRETS_ARN set), the environment otherwise. */
export function secretProvider(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return env.RIPEN_SECRETS_ARN ? secretsManagerSecrets(env.RIPEN_SECRETS_ARN) : environmentSecrets(env);
}
