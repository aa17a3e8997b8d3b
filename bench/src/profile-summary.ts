/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and says where the time went: self time
 * per function and per package, within a time window (the measured run, not start-up or warm-up).
 *
 * @module
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The parts of the `.cpuprofile` JSON this reads. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Time spent in one function or one package. */
export interface TimeShare {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy (non-idle) time. */
  readonly share: number;
}

/** Where the time went. */
export interface ProfileSummary {
  /** Sampled wall time in the window. */
  readonly windowMs: number;
  /** Time the main thread was busy (not idle). */
  readonly busyMs: number;
  readonly gcMs: number;
  readonly functions: readonly TimeShare[];
  readonly packages: readonly TimeShare[];
}

/** The package a script URL belongs to: an npm package, a sessionkit package, Node itself, or V8. */
export function packageOf(url: string): string {
  if (url === '') return '(V8 / native)';
  const nodeModules = url.lastIndexOf('/node_modules/');
  if (nodeModules !== -1) {
    const parts = url.slice(nodeModules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const own = /\/packages\/(core|adapter-(\w+))\//.exec(url);
  if (own) return own[2] === undefined ? '@sessionkit/core' : `@sessionkit/${own[2]}`;
  if (url.startsWith('node:')) return 'node (core modules)';
  if (url.includes('/bench/src/')) return 'bench server code';
  return url;
}

function shortLocation(frame: CallFrame): string {
  const file = frame.url.split('/').slice(-2).join('/');
  return file === '' ? '' : ` (${file}:${frame.lineNumber + 1})`;
}

function top(map: Map<string, number>, busyMs: number, count: number): TimeShare[] {
  return [...map.entries()]
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs === 0 ? 0 : selfMs / busyMs }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, count);
}

/**
 * Summarizes `profile`, counting only samples stamped inside `windowUs` (the monotonic clock V8
 * uses; the whole profile when omitted).
 */
export function summarizeProfile(
  profile: CpuProfile,
  windowUs?: readonly [number, number],
  count = 20,
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let windowMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  let stampUs = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    stampUs += profile.timeDeltas[i] ?? 0;
    // A sample stands for the interval up to the next one.
    const spanMs = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (windowUs !== undefined && (stampUs < windowUs[0] || stampUs > windowUs[1])) continue;
    const frame = nodes.get(profile.samples[i] as number)?.callFrame;
    if (frame === undefined) continue;
    windowMs += spanMs;
    if (frame.functionName === '(idle)') {
      idleMs += spanMs;
      continue;
    }
    if (frame.functionName === '(garbage collector)') gcMs += spanMs;
    const name = `${frame.functionName || '(anonymous)'}${shortLocation(frame)}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + spanMs);
    const pkg = frame.functionName.startsWith('(') ? frame.functionName : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + spanMs);
  }
  const busyMs = windowMs - idleMs;
  return { windowMs, busyMs, gcMs, functions: top(byFunction, busyMs, count), packages: top(byPackage, busyMs, count) };
}

/** The summary as Markdown tables, with µs per request when `requests` is known. */
export function renderProfileSummary(summary: ProfileSummary, requests: number): string {
  const perRequest = (ms: number): string => (requests > 0 ? ((ms * 1000) / requests).toFixed(1) : '—');
  const table = (title: string, rows: readonly TimeShare[]): string[] => [
    `| ${title} | self ms | share of busy | µs/request |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| \`${row.name.replace(/\|/g, '\\|')}\` | ${row.selfMs.toFixed(0)} | ${(row.share * 100).toFixed(1)}% | ${perRequest(row.selfMs)} |`,
    ),
    '',
  ];
  return [
    `Main thread: ${summary.busyMs.toFixed(0)} ms busy of ${summary.windowMs.toFixed(0)} ms (${perRequest(summary.busyMs)} µs/request), GC ${summary.gcMs.toFixed(0)} ms, over ${requests} requests.`,
    '',
    ...table('package', summary.packages),
    ...table('function (self time)', summary.functions),
  ].join('\n');
}
