/**
 * The functions and the HTTP routes, declared once: the CDK stack creates them, the local server
 * dispatches by them. `auth: "iam"` routes are IAM-authorized in AWS; public routes check signatures in code.
 */
export const FUNCTIONS = {
  ingest: { entry: "functions/ingest.ts", description: "Verifies and records webhooks", memoryMb: 512 },
  read: { entry: "functions/read.ts", description: "Leads API and health", memoryMb: 512 },
  publish: { entry: "functions/publish.ts", description: "Turns stream transitions into bus events", memoryMb: 256 },
  "notify-slack": {
    entry: "functions/notify-slack.ts",
    description: "Posts sales-ready alerts to Slack",
    memoryMb: 256,
  },
  "notify-email": {
    entry: "functions/notify-email.ts",
    description: "Emails sales-ready alerts through SES",
    memoryMb: 256,
  },
  actions: {
    entry: "functions/actions.ts",
    description: "Applies rep actions from Slack buttons and lead pages",
    memoryMb: 512,
  },
  // Its own function so the read API keeps read-only table access.
  erase: { entry: "functions/erase.ts", description: "Erases a person on request (GDPR)", memoryMb: 256 },
  maintenance: {
    entry: "functions/maintenance.ts",
    description: "Daily sweep: starts the run of score decay, recycle rules, SLA breaches",
    memoryMb: 256,
  },
  // Folding histories is CPU-bound: more memory buys a faster CPU share.
  worker: {
    entry: "functions/worker.ts",
    description: "Works on parts of rescore, preview and sweep runs from the work queue",
    memoryMb: 1024,
  },
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string;
  function: FunctionName;
  auth: "public" | "iam";
}

export const ROUTES: readonly Route[] = [
  { method: "POST", path: "/webhooks/{source}", function: "ingest", auth: "public" },
  { method: "GET", path: "/leads/{id}", function: "read", auth: "iam" },
  { method: "GET", path: "/leads", function: "read", auth: "iam" },
  { method: "DELETE", path: "/leads/{id}", function: "erase", auth: "iam" },
  { method: "GET", path: "/accounts/{domain}", function: "read", auth: "iam" },
  { method: "GET", path: "/funnel", function: "read", auth: "iam" },
  { method: "GET", path: "/funnel/view", function: "read", auth: "iam" },
  { method: "GET", path: "/calibration/view", function: "read", auth: "iam" },
  { method: "GET", path: "/health", function: "read", auth: "public" },
  { method: "POST", path: "/slack/interactions", function: "actions", auth: "public" },
  // Signed links (domain/links.ts): the token in the path is the credential.
  { method: "GET", path: "/links/leads/{id}/{token}", function: "read", auth: "public" },
  { method: "POST", path: "/links/leads/{id}/{token}", function: "actions", auth: "public" },
  { method: "GET", path: "/links/funnel/{token}", function: "read", auth: "public" },
];

export const routeKey = (route: Pick<Route, "method" | "path">) => `${route.method} ${route.path}`;

/** Matches a concrete path against the routes; returns the route and its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { route?: undefined; pathMatched: boolean } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const parameters = matchPath(route.path, path);
    if (!parameters) continue;
    pathMatched = true;
    if (route.method === method) return { route, pathParameters: parameters };
  }
  return { pathMatched };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = got[index] ?? "";
    if (part.startsWith("{") && part.endsWith("}")) {
      if (actual === "") return undefined;
      parameters[part.slice(1, -1)] = decodeURIComponent(actual);
    } else if (part !== actual) return undefined;
  }
  return parameters;
}
