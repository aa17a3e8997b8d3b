/**
 * Before a scenario is loaded, a few sequential requests check that the server really does what
 * the scenario claims (a read returns the logged-in user, a counter counts, a new session gets a
 * cookie, an anonymous request gets none), while MONITOR counts the Redis round trips.
 *
 * @module
 */
import { countRoundTrips, type RoundTripCount } from './round-trips.js';
import type { Scenario } from './scenarios.js';
import { COOKIE_NAME, LOGIN_DATA } from './servers/shared.js';
import type { StackKind } from './stacks.js';

/** Requests per probe: enough to average out a one-off (a script loaded by EVAL the first time). */
const PROBE_REQUESTS = 4;

/** A probe's findings. */
export interface ProbeResult extends RoundTripCount {
  /** What did not behave as the scenario says; empty when all is well. */
  readonly problems: readonly string[];
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly setsSessionCookie: boolean;
}

async function request(url: string, cookie: string | undefined): Promise<Reply> {
  const response = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
  const body = await response.text();
  const setsSessionCookie = response.headers
    .getSetCookie()
    .some((line) => line.startsWith(`${COOKIE_NAME}=`) && !line.startsWith(`${COOKIE_NAME}=;`));
  return { status: response.status, body, setsSessionCookie };
}

function check(scenario: Scenario, kind: StackKind, replies: readonly Reply[]): string[] {
  const problems: string[] = [];
  const bad = replies.filter((reply) => reply.status !== 200);
  if (bad.length > 0) problems.push(`status ${bad[0]?.status} (${bad[0]?.body.slice(0, 80)})`);
  const hasSessions = kind === 'peer' || kind === 'sessionkit';
  if (scenario.name === 'read' && hasSessions && replies.some((reply) => reply.body !== LOGIN_DATA.user)) {
    problems.push(`read answered ${JSON.stringify(replies[0]?.body)}, not the logged-in user`);
  }
  if (scenario.name === 'incr') {
    const values = replies.map((reply) => Number(reply.body));
    if (values.some((value, i) => i > 0 && value !== (values[i - 1] as number) + 1))
      problems.push(`the counter did not count: ${values.join(', ')}`);
  }
  if (scenario.name === 'new' && hasSessions && replies.some((reply) => !reply.setsSessionCookie)) {
    problems.push('a new session got no session cookie');
  }
  if (scenario.name === 'anon' && replies.some((reply) => reply.setsSessionCookie))
    problems.push('an anonymous request got a session cookie');
  return problems;
}

/**
 * Probes `scenario` on a server.
 *
 * @param redisPort - the bench Redis (for MONITOR)
 * @param baseUrl - the server
 * @param cookie - the logged-in session's Cookie header, sent when the scenario needs it
 */
export async function probe(
  redisPort: number,
  baseUrl: string,
  scenario: Scenario,
  kind: StackKind,
  cookie: string,
): Promise<ProbeResult> {
  const replies: Reply[] = [];
  const counted = await countRoundTrips(redisPort, async () => {
    for (let i = 0; i < PROBE_REQUESTS; i += 1) {
      replies.push(await request(baseUrl + scenario.path, scenario.withCookie && cookie !== '' ? cookie : undefined));
    }
    return PROBE_REQUESTS;
  });
  return { ...counted, problems: check(scenario, kind, replies) };
}
