import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * The credential chain of a function's bundle, in place of `@aws-sdk/credential-provider-node` (the build
 * aliases that package to this module). Lambda gives every function its role's credentials in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the first link the
 * default chain tries there; its other links (profiles, SSO, web identity, process, container, instance
 * metadata) never answer in a Lambda and weigh about 130 KB of every bundle, parsed at each cold start.
 * Anywhere else (`npm start`, the CLI, the tests) the SDK's own chain runs: this module is only bundled.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => fromEnv(init);

/** As the SDK's chain decides: credentials with an expiry are refreshed, within five minutes of it. */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }): boolean =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
