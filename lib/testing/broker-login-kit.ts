/**
 * A trader's browser for direct-broker login tests: opens a broker's login page, submits its only form as it is
 * (hidden fields included) and returns where the broker redirected to, without following it.
 */
export interface LoginRedirect {
  /** The page's HTML (tests look for the trader's id on it). */
  page: string;
  /** The redirect target the broker answered the form with. */
  location: URL;
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`${name}="([^"]*)"`).exec(tag);
  return m ? m[1].replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))) : undefined;
}

export async function submitLoginPage(loginUrl: string): Promise<LoginRedirect> {
  const res = await fetch(loginUrl, { redirect: "manual" });
  const page = await res.text();
  if (res.status !== 200) throw new Error(`login page answered ${res.status}`);
  const form = /<form\b[^>]*>/.exec(page)?.[0];
  if (!form) throw new Error("login page has no form");
  const action = new URL(attribute(form, "action") ?? "", loginUrl);
  const fields = new URLSearchParams();
  for (const input of page.match(/<input\b[^>]*>/g) ?? []) {
    const name = attribute(input, "name");
    if (name) fields.append(name, attribute(input, "value") ?? "");
  }
  const post = await fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  });
  await post.text();
  const location = post.headers.get("location");
  if (post.status !== 302 || !location) throw new Error(`login form answered ${post.status} without a redirect`);
  return { page, location: new URL(location) };
}
