import { describe, expect, it } from "vitest";
import { applyDevelopmentSecrets, DEVELOPMENT_SECRET } from "#shared/local/dev-secrets";

describe("the development secret of npm start", () => {
  it("stands in for every sender without a secret on this machine", () => {
    const env: NodeJS.ProcessEnv = { RIPEN_SECRET_TYPEFORM: "typeform-secret" };

    const filled = applyDevelopmentSecrets(env);

    expect(filled).toContain("RIPEN_SECRET_GENERIC");
    expect(filled).not.toContain("RIPEN_SECRET_TYPEFORM");
    expect(env.RIPEN_SECRET_GENERIC).toBe(DEVELOPMENT_SECRET);
    expect(env.RIPEN_SECRET_TYPEFORM).toBe("typeform-secret");
  });

  it("is never used once a public URL lets other machines in: anyone could sign with it", () => {
    const env: NodeJS.ProcessEnv = { RIPEN_PUBLIC_URL: "https://abc.tunnel.example" };

    const filled = applyDevelopmentSecrets(env);

    expect(filled).toEqual([]);
    expect(env.RIPEN_SECRET_GENERIC).toBeUndefined();
  });

  it("is off with RIPEN_DEV_SECRETS=false", () => {
    const env: NodeJS.ProcessEnv = { RIPEN_DEV_SECRETS: "false" };

    expect(applyDevelopmentSecrets(env)).toEqual([]);
    expect(env.RIPEN_SECRET_GENERIC).toBeUndefined();
  });
});
