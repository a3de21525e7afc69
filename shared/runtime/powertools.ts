import { Logger } from "@aws-lambda-powertools/logger";

/** The one logger. JSON, with the service name; never log secrets, tokens or personal data. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "ripen",
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO") as "INFO",
});
