import { inject } from "vitest";
import { TEST_ID_KEY } from "./pseudonyms";

// The AWS SDK warns once per process that Node 20 support ends; the tests run on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Metrics are EMF lines on stdout: tests that check them turn them on for themselves.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
// Lead ids and event keys are keyed hashes: the handlers and the tests hash with the same key.
process.env.RIPEN_ID_KEY ??= TEST_ID_KEY;
// The handler modules read the compiled model at import, as a Lambda's init does; the default one, unless a test says.
process.env.RIPEN_COMPILED_MODEL ??= inject("compiledModel");
