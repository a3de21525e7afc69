import type { Tracer } from "@aws-lambda-powertools/tracer";
import type middy from "@middy/core";

/**
 * X-Ray tracing with the Powertools tracer, in the functions of a stack deployed with `ripen:tracing`.
 * RIPEN_TRACING is replaced at build time (esbuild's define, set by infra/ripen-function.ts), so a
 * stack without tracing bundles none of it: the tracer and the X-Ray SDK add about 130 KB to a bundle
 * and their load to every cold start (`npm run bench -- init` measures both). Unset under `npm start`
 * and in the tests, where there is no X-Ray daemon to send segments to.
 */
const ENABLED = process.env.RIPEN_TRACING === "true";

const tracer: Tracer | undefined = ENABLED
  ? new (await import("@aws-lambda-powertools/tracer")).Tracer({ serviceName: "ripen" })
  : undefined;

const middlewares: middy.MiddlewareObj[] =
  ENABLED && tracer
    ? [
        (await import("@aws-lambda-powertools/tracer/middleware")).captureLambdaHandler(tracer, {
          // Responses carry lead data: the segment keeps timings and errors, not what was answered.
          captureResponse: false,
        }),
      ]
    : [];

/** The handler's segment (cold start, errors, annotations); no middleware at all when tracing is off. */
export function tracing(): middy.MiddlewareObj[] {
  return middlewares;
}

/** An SDK client whose calls become subsegments when tracing is on; the client itself otherwise. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
