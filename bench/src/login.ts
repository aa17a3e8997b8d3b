/**
 * Logs in once on a server and turns its Set-Cookie lines into the Cookie header the read, write
 * and increment runs send (koa-session sets two cookies: the id and its signature).
 *
 * @module
 */

/** `name=value` pairs of every Set-Cookie line, as one Cookie header. */
export function cookieHeaderOf(setCookies: readonly string[]): string {
  return setCookies
    .map((line) => line.split(';', 1)[0]?.trim() ?? '')
    .filter((pair) => pair.length > 0 && !pair.endsWith('='))
    .join('; ');
}

/** Calls `/login` and resolves the session's Cookie header ('' for servers without sessions). */
export async function login(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`);
  await response.text();
  if (response.status !== 200) throw new Error(`bench: ${baseUrl}/login answered ${response.status}`);
  return cookieHeaderOf(response.headers.getSetCookie());
}
