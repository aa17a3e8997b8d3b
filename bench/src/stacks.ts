/**
 * The servers the bench runs: per framework a bare server, the floor (bare + the scenario's
 * minimum Redis round trips), the peer session library and sessionkit. Each is one file in
 * servers/ started in its own process.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { ScenarioName } from './scenarios.js';

/** Frameworks, in table order. */
export const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'] as const;

/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number];

/** The role of a server in its framework's rows. */
export type StackKind = 'bare' | 'floor' | 'peer' | 'sessionkit';

/** Kinds in the order rounds alternate (reversed on every other round). */
export const STACK_KINDS: readonly StackKind[] = ['bare', 'floor', 'peer', 'sessionkit'];

/** One server. */
export interface Stack {
  /** `<framework>-<kind>`, unique. */
  readonly id: string;
  readonly framework: Framework;
  readonly kind: StackKind;
  /** What it is, for tables. */
  readonly label: string;
  /** Absolute path of its server file. */
  readonly file: string;
  /** Scenarios it is measured in; the bare server stands in as the floor of `anon`. */
  readonly scenarios: readonly ScenarioName[];
}

const FRAMEWORK_LABELS: Readonly<Record<Framework, string>> = {
  express: 'Express 5',
  fastify: 'Fastify 5',
  koa: 'Koa 3',
  hono: 'Hono 4',
};

const PEERS: Readonly<Record<Framework, { file: string; label: string }>> = {
  express: { file: 'express-session', label: 'express-session + connect-redis' },
  fastify: { file: 'fastify-session', label: '@fastify/session + connect-redis' },
  koa: { file: 'koa-session', label: 'koa-session + koa-redis' },
  hono: { file: 'hono-session', label: 'hono-sessions + a Redis Store' },
};

/** The framework's name as tables print it. */
export function frameworkLabel(framework: Framework): string {
  return FRAMEWORK_LABELS[framework];
}

function serverFile(name: string): string {
  return fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
}

/** Every stack of a framework, in {@link STACK_KINDS} order. */
export function stacksOf(framework: Framework): Stack[] {
  const all: ScenarioName[] = ['read', 'write', 'incr', 'new', 'anon'];
  return [
    { kind: 'bare', file: `${framework}-bare`, label: 'bare', scenarios: ['anon'] },
    {
      kind: 'floor',
      file: `${framework}-floor`,
      label: 'floor (bare + ioredis)',
      scenarios: ['read', 'write', 'incr', 'new'],
    },
    { kind: 'peer', file: PEERS[framework].file, label: PEERS[framework].label, scenarios: all },
    { kind: 'sessionkit', file: `${framework}-sessionkit`, label: 'sessionkit + RedisStore', scenarios: all },
  ].map((stack) => ({
    ...stack,
    kind: stack.kind as StackKind,
    id: `${framework}-${stack.kind}`,
    framework,
    file: serverFile(stack.file),
    scenarios: stack.scenarios as ScenarioName[],
  }));
}

/** Finds a stack by id (`express-sessionkit`, `koa-peer`, ...). */
export function findStack(id: string): Stack | undefined {
  return FRAMEWORKS.flatMap(stacksOf).find((stack) => stack.id === id);
}
