import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { InvalidLinkError } from "#shared/domain/links";
import { escapeHtml, htmlPageResponse, pageHead } from "./html-page";
import { type LeadPageInput, leadPage } from "./lead-page";

/** A lead link's page (read.ts, GET): the lead, its explanation and timeline, and the actions the link allows. */
export function leadPageResponse(input: LeadPageInput): APIGatewayProxyStructuredResultV2 {
  return htmlPageResponse((nonce) => leadPage(input, nonce));
}

/** An altered, foreign or expired link: 401, and a page that says which, without naming what it opened. */
export function linkRefusedResponse(error: InvalidLinkError): APIGatewayProxyStructuredResultV2 {
  const title = error.refusal === "expired" ? "This link has expired" : "This link does not open anything";
  const hint =
    error.refusal === "expired"
      ? "Links from alerts work for a limited time. Open the lead from a newer alert, or ask for a new link."
      : "The link may have been cut or changed on its way. Open it again from the alert it came in.";
  return noticeResponse(401, title, `${error.message}. ${hint}`);
}

/** A lead that is no longer there (erased, or never was): the same neutral page either way. */
export function noLongerAvailableResponse(): APIGatewayProxyStructuredResultV2 {
  return noticeResponse(404, "No longer available", "This lead is no longer available.");
}

/** An action the lifecycle refused (the lead moved since the page was shown): why, and the way back. */
export function actionRefusedResponse(statusCode: number, message: string): APIGatewayProxyStructuredResultV2 {
  return noticeResponse(statusCode, "Nothing was changed", message, true);
}

function noticeResponse(statusCode: number, title: string, message: string, back = false) {
  return htmlPageResponse(
    (nonce) => `<!doctype html>
<html lang="en">
${pageHead(title, nonce, NOTICE_STYLE)}
<body><main>
<h1>${escapeHtml(title)}</h1>
<p id="notice">${escapeHtml(message)}</p>
${back ? `<p><a href="">Back to the lead</a></p>` : ""}
</main></body>
</html>
`,
    statusCode,
  );
}

const NOTICE_STYLE = `
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #1d2a1f; background: #fbfaf5; }
  main { max-width: 36rem; margin: 0 auto; padding: 16px; overflow-wrap: anywhere; }
  a { display: inline-flex; align-items: center; min-height: 44px; }
`;
