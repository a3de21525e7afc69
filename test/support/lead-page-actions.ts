import { linkExpiry, signLink } from "#shared/domain/links";
import { leadPagePath } from "#shared/runtime/links";

/**
 * A rep's Qualify as the lead page's form sends it: the page opened through a link signed with `linkKey`
 * for `rep`, then its qualify form posted back with the page's hidden fields (its nonce among them).
 */
export async function qualifyThroughLink(
  baseUrl: string,
  linkKey: string,
  leadId: string,
  rep: string,
): Promise<Response> {
  const token = signLink(linkKey, leadId, { scope: "lead", expiresAt: linkExpiry(new Date(), 7), rep });
  const url = `${baseUrl}${leadPagePath(leadId, token)}`;
  const html = await (await fetch(url)).text();
  const form = [...html.matchAll(/<form method="post"[^>]*>([\s\S]*?)<\/form>/g)]
    .map((match) => match[1] ?? "")
    .find((inner) => inner.includes('name="action" value="qualify"'));
  if (!form) throw new Error("the page offers no qualify");
  const fields = new URLSearchParams();
  for (const [, name, value] of form.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)) {
    fields.set(name ?? "", (value ?? "").replaceAll("&#43;", "+"));
  }
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  });
}
