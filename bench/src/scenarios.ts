/**
 * The five scenarios, the route each server answers them on, and the target sessionkit aims at in
 * each (targets are reported, never asserted).
 *
 * @module
 */

/** Scenario names, in table order. */
export const SCENARIO_NAMES = ['read', 'write', 'incr', 'new', 'anon'] as const;

/** One of {@link SCENARIO_NAMES}. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What sessionkit should reach in a scenario. */
export interface Target {
  /** Compared with the floor of the framework (`floor`) or with the peer library (`peer`). */
  readonly against: 'floor' | 'peer';
  /** The lowest acceptable ratio of sessionkit's req/s to that reference. */
  readonly ratio: number;
  /** The exact number of Redis round trips per request, when the target fixes it. */
  readonly roundTrips?: number;
  /** How the target reads in the table. */
  readonly text: string;
}

/** A request pattern the bench drives. */
export interface Scenario {
  readonly name: ScenarioName;
  /** How it reads in tables and charts. */
  readonly label: string;
  /** The route every server answers it on. */
  readonly path: string;
  /** Whether requests carry the cookie of an existing, logged-in session. */
  readonly withCookie: boolean;
  /** Redis round trips of the floor server on this route (0: the floor is the bare server). */
  readonly floorRoundTrips: number;
  /** sessionkit's target. */
  readonly target: Target;
}

/** The scenarios by name. */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  read: {
    name: 'read',
    label: 'read',
    path: '/read',
    withCookie: true,
    floorRoundTrips: 1,
    target: { against: 'floor', ratio: 0.9, roundTrips: 1, text: '≥ 90% of floor, 1 round trip' },
  },
  write: {
    name: 'write',
    label: 'write',
    path: '/write',
    withCookie: true,
    floorRoundTrips: 2,
    target: { against: 'floor', ratio: 0.9, text: '≥ 90% of floor' },
  },
  incr: {
    name: 'incr',
    label: 'increment',
    path: '/incr',
    withCookie: true,
    floorRoundTrips: 2,
    target: { against: 'floor', ratio: 0.9, text: '≥ 90% of floor' },
  },
  new: {
    name: 'new',
    label: 'new session',
    path: '/new',
    withCookie: false,
    floorRoundTrips: 1,
    target: { against: 'peer', ratio: 1, text: '≥ peer' },
  },
  anon: {
    name: 'anon',
    label: 'anonymous',
    path: '/anon',
    withCookie: false,
    floorRoundTrips: 0,
    target: { against: 'floor', ratio: 0.95, roundTrips: 0, text: '≥ 95% of bare, 0 commands' },
  },
};
