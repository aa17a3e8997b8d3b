/**
 * Reading the example apps' pages. Every page says where it stands in one sentence,
 * `<p id="status">`: the suite compares that sentence exactly, as it once compared the whole body.
 */

/** The page's status sentence as HTML (a user name in it stays escaped); `undefined` when there is none. */
export function status(body: string): string | undefined {
  return /<p id="status">([^<]*)<\/p>/.exec(body)?.[1];
}

/** The visit count of a logged-in page; NaN for any other answer. */
export function visits(body: string): number {
  return Number(/^Logged in as .*\. Visits: (\d+)$/.exec(status(body) ?? '')?.[1] ?? Number.NaN);
}

/** The HTML inside the element with this id, e.g. `part(body, 'instance')` for `<dd id="instance">`. */
export function part(body: string, id: string): string | undefined {
  return new RegExp(`<(\\w+) id="${id}">([\\s\\S]*?)</\\1>`).exec(body)?.[2];
}
