/** One response as a test sees it. */
export interface TestResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
  /** Every Set-Cookie line of the response. */
  readonly setCookies: string[];
  /** The Location header of a redirect. */
  readonly location: string | null;
}

/**
 * A minimal browser for tests over real HTTP: keeps cookies from `Set-Cookie` (honouring
 * Max-Age=0 as deletion), sends them back, and does not follow redirects so each hop can be checked.
 */
export class TestClient {
  readonly #baseUrl: string;
  readonly #cookies = new Map<string, string>();

  /** @param baseUrl - e.g. `http://127.0.0.1:3000` */
  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  /** The value of a cookie the client holds. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Sets or (with `undefined`) removes a cookie by hand, e.g. to replay or tamper with one. */
  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }

  /** A GET request. */
  get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request('GET', path, undefined, headers);
  }

  /** A POST of a urlencoded form. */
  postForm(path: string, form: Record<string, string>): Promise<TestResponse> {
    return this.request('POST', path, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /** Any request; cookies held by the client are sent unless a `cookie` header is given. */
  async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<TestResponse> {
    const cookieHeader = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.#baseUrl), {
      method,
      redirect: 'manual',
      headers: { ...(cookieHeader && !('cookie' in headers) ? { cookie: cookieHeader } : {}), ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*max-age=0(;|$)/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return {
      status: response.status,
      body: await response.text(),
      headers: response.headers,
      setCookies,
      location: response.headers.get('location'),
    };
  }
}
