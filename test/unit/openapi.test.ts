import { describe, expect, it } from "vitest";
import { SOURCES } from "#shared/domain/lead-event";
import { ERROR_CODES, ERROR_STATUS } from "#shared/edge/http-errors";
import { openApiDocument } from "#shared/edge/openapi";
import { ROUTES } from "#shared/runtime/routes";

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}

const document = openApiDocument() as {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
};
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

/** Every `$ref` in a value, anywhere in it. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "$ref" ? [String(inner)] : refs(inner)));
}

/** The error codes a response's schema says it carries. */
function codesOf(response: Operation["responses"][string]): string[] {
  const schema = response.content?.["application/json"]?.schema as { allOf?: Json[] } | undefined;
  const narrowed = schema?.allOf?.[1] as { properties: { error: { properties: { code: { enum: string[] } } } } };
  return narrowed?.properties.error.properties.code.enum ?? [];
}

describe("the OpenAPI description", () => {
  it("is an OpenAPI 3.1 document with a title, a version and only resolvable references", () => {
    // Assess
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBe("Ripen");
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const ref of refs(document)) {
      const [, section, name] = ref.match(/^#\/components\/(schemas|securitySchemes)\/(.+)$/) ?? [];
      expect(section, ref).toBeDefined();
      expect(document.components[section as "schemas"][name as string], ref).toBeDefined();
    }
  });

  it("has every route of the route table, under its method, and no other", () => {
    // Assess
    const described = operations.map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort();
    expect(described).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it("declares each path's template parameters as required path parameters, and nothing else in the path", () => {
    for (const { path, operation } of operations) {
      const template = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === "path");
      expect(
        declared.map((parameter) => parameter.name),
        path,
      ).toEqual(template);
      for (const parameter of declared) expect(parameter.required, path).toBe(true);
    }
  });

  it("gives each operation a unique id, a success response and security that matches the route's auth", () => {
    // Assess
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      expect(
        // A 2xx, or the 303 a page's form is answered with.
        Object.keys(operation.responses).some((status) => status.startsWith("2") || status === "303"),
        route.path,
      ).toBe(true);
      expect(operation.security, route.path).toEqual(route.auth === "iam" ? [{ sigv4: [] }] : []);
    }
  });

  it("lists every error code in the ErrorCode schema and each code a request can meet under its own status", () => {
    // Assess
    const enumerated = document.components.schemas.ErrorCode?.enum as string[];
    expect(enumerated).toEqual(expect.arrayContaining([...ERROR_CODES, "internal"]));
    const answered = new Set<string>();
    for (const { operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const code of codesOf(response)) {
          answered.add(code);
          if (code !== "internal") expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], code).toBe(Number(status));
        }
      }
    }
    // A model that fails validation stops the build or the init: no request ever meets invalid_model.
    expect([...answered].sort()).toEqual(
      [...ERROR_CODES.filter((code) => code !== "invalid_model"), "internal"].sort(),
    );
  });

  it("takes its inputs from the zod schemas: the webhook's source names, the listing's bounds, the generic body", () => {
    // Assess
    const webhook = document.paths["/webhooks/{source}"]?.post as Operation;
    expect(webhook.parameters?.find((parameter) => parameter.name === "source")?.schema.enum).toEqual([...SOURCES]);
    const listing = document.paths["/leads"]?.get as Operation;
    const limit = listing.parameters?.find((parameter) => parameter.name === "limit");
    expect(limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
    const body = webhook.requestBody?.content["application/json"]?.schema as { required: string[] };
    expect(body.required).toEqual(expect.arrayContaining(["type", "eventId", "occurredAt", "email"]));
  });
});
