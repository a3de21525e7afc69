import { randomBytes } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * A self-contained HTML page as the read function answers it: a fresh nonce per response, a CSP that
 * lets only the page's own inline script and style run and loads nothing from anywhere, never cached, and
 * no Referer sent from it (a link page's URL holds its token).
 */
export function htmlPageResponse(page: (nonce: string) => string, statusCode = 200): APIGatewayProxyStructuredResultV2 {
  const nonce = randomBytes(16).toString("base64");
  return {
    statusCode,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
    body: page(nonce),
  };
}

/** JSON that is safe inside a <script> element: no `<`, so no `</script>` from a campaign name. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The head every page shares: charset, a phone's viewport, no Referer, the title, and its own style. */
export function pageHead(title: string, nonce: string, style: string): string {
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Ripen</title>
<style nonce="${nonce}">${style}</style>
</head>`;
}
