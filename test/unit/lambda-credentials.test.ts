import { describe, expect, it } from "vitest";
import {
  credentialsTreatedAsExpired,
  credentialsWillNeedRefresh,
  defaultProvider,
} from "#shared/runtime/lambda-credentials";

const ENV_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"];

/** Runs `body` with exactly these AWS credential variables set, then puts the environment back. */
async function withEnvironment<T>(values: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  for (const key of ENV_KEYS) delete process.env[key];
  Object.assign(process.env, values);
  try {
    return await body();
  } finally {
    for (const key of ENV_KEYS) {
      const value = saved[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe("a function's credential chain", () => {
  it("reads the role's credentials Lambda puts in the environment", async () => {
    // Act
    const credentials = await withEnvironment(
      { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret-example", AWS_SESSION_TOKEN: "token-example" },
      () => defaultProvider()(),
    );

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret-example",
      sessionToken: "token-example",
    });
  });

  it("fails plainly where the environment has none, instead of looking elsewhere", async () => {
    await expect(withEnvironment({}, () => defaultProvider()())).rejects.toThrow(
      "Unable to find environment variable credentials.",
    );
  });

  it("has them refreshed as the SDK's own chain would: only those with an expiry, near it", () => {
    const soon = new Date(Date.now() + 60_000);
    const later = new Date(Date.now() + 3_600_000);
    expect(credentialsWillNeedRefresh({})).toBe(false);
    expect(credentialsWillNeedRefresh({ expiration: later })).toBe(true);
    expect(credentialsTreatedAsExpired({})).toBe(false);
    expect(credentialsTreatedAsExpired({ expiration: later })).toBe(false);
    expect(credentialsTreatedAsExpired({ expiration: soon })).toBe(true);
  });
});
