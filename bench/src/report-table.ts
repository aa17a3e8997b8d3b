/**
 * The Markdown report: a header saying where and how it ran, a summary of sessionkit against its
 * targets, one detailed table per framework, and every round's req/s so the noise is visible.
 *
 * @module
 */
import { type Cell, cpuRatio, floorOf, judgeTarget, peerOf, ratio, type Row } from './aggregate.js';
import type { BenchConfig } from './config.js';
import { formatCount, formatDuration, formatMs, formatPercent, formatRps, formatTimes } from './format.js';
import type { MachineInfo } from './machine.js';
import { SCENARIOS } from './scenarios.js';
import { frameworkLabel } from './stacks.js';

/** Everything the report says. */
export interface ReportInput {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly machine: MachineInfo;
  readonly config: BenchConfig;
  readonly rows: readonly Row[];
  readonly cells: readonly Cell[];
  readonly elapsedS: number;
  /** Stacks that could not be measured, with the reason. */
  readonly unavailable: readonly string[];
  /** File name of the chart, beside the report. */
  readonly chartFile: string;
  /** 1-minute load average when the run started and when it ended. */
  readonly loadAverages: readonly [number, number];
  /** Share of CPU time the hypervisor gave to other guests during the run (`undefined` off Linux). */
  readonly steal?: number | undefined;
}

function header(input: ReportInput): string[] {
  const { machine, config } = input;
  return [
    `# sessionkit benchmark, ${input.date}`,
    '',
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}; Node ${machine.node}; redis-server ${machine.redis} (started by the bench on a free loopback port, no persistence).`,
    `- Code: sessionkit at ${machine.commit} (when the run started), as built in packages/*/dist; peers pinned in bench/package.json.`,
    `- Load: autocannon, ${config.connections} connections, ${config.warmupS} s warm-up then ${config.durationS} s measured per cell; ${config.rounds} rounds. A framework's four servers run at once and each scenario is measured on them back to back, the stacks' order flipping and the frameworks' rotating every round. Each cell shows its best round (highest req/s) and that round's latencies. Load generator, servers (one Node process each) and Redis share the same cores.`,
    "- × floor by CPU: the floor's server CPU per request over sessionkit's, i.e. the req/s ratio if the server process were the only bottleneck; unlike req/s it barely moves when other work shares the machine. Targets are judged on req/s, as the issue states them.",
    '- Floor: the bare framework plus the fewest Redis round trips the scenario needs, with ioredis: read 1 GET, write GET + SET, increment GET + INCR, new session 1 SET. For anonymous the floor is the bare server.',
    '- Round trips: commands clients sent, counted with MONITOR over 4 sequential requests after the warm-up. Redis cmds and Redis µs: INFO commandstats around the measured run divided by its requests (commands run inside Lua scripts counted as commands; their time counts once, inside the script). Redis CPU: user + system time of the redis-server process (INFO cpu) over the measured run per request, which adds reading, parsing and replying to the command time. Server CPU: user + system time of the server process (all threads) per request. Latencies are whole milliseconds (as autocannon records them).',
    `- Full run: ${formatDuration(input.elapsedS)}; load average ${input.loadAverages[0].toFixed(1)} at the start, ${input.loadAverages[1].toFixed(1)} at the end (above ${machine.cpus} means other work competed for the CPUs)${input.steal === undefined ? '' : `; CPU steal ${(input.steal * 100).toFixed(0)}% (time the hypervisor ran other guests on these CPUs; it comes and goes, so it slows some cells more than others)`}. Chart: [${input.chartFile}](${input.chartFile}).`,
    '',
  ];
}

function cpuOf(cell: Cell | undefined): string {
  return cell === undefined ? '—' : String(Math.round(cell.best.serverCpuUsPerRequest));
}

function summary(rows: readonly Row[]): string[] {
  const lines = [
    '## sessionkit against its targets',
    '',
    '| framework | scenario | sessionkit req/s | × floor | × peer | round trips | server CPU µs/req (sessionkit · floor · peer) | × floor by CPU | target | met |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | :---: |',
  ];
  for (const row of rows) {
    const sk = row.sessionkit;
    const verdict = judgeTarget(row);
    const mark = verdict.met === undefined ? '—' : verdict.met ? 'yes' : `**no** (${verdict.why})`;
    lines.push(
      `| ${frameworkLabel(row.framework)} | ${SCENARIOS[row.scenario].label} | ${sk ? formatRps(sk.best.rps) : '—'} | ${formatPercent(ratio(sk, row.floor))} | ${formatTimes(ratio(sk, row.peer))} | ${sk ? formatCount(sk.best.roundTrips) : '—'} | ${[sk, row.floor, row.peer].map(cpuOf).join(' · ')} | ${formatPercent(cpuRatio(sk, row.floor))} | ${SCENARIOS[row.scenario].target.text} | ${mark} |`,
    );
  }
  return [...lines, ''];
}

function details(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const framework of input.config.frameworks) {
    lines.push(
      `## ${frameworkLabel(framework)}`,
      '',
      '| scenario | stack | req/s | p50 ms | p99 ms | round trips/req | Redis cmds/req | Redis µs/req | Redis CPU µs/req | server CPU µs/req | × floor | × peer |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const scenario of input.config.scenarios) {
      const cells = input.cells.filter((cell) => cell.stack.framework === framework && cell.scenario === scenario);
      for (const cell of cells) {
        const { best } = cell;
        const floor = floorOf(input.rows, cell);
        const peer = peerOf(input.rows, cell);
        const flagged = best.problems.length > 0 || best.failures > 0 ? ' ⚠' : '';
        lines.push(
          `| ${SCENARIOS[scenario].label} | ${cell.stack.label}${flagged} | ${formatRps(best.rps)} | ${formatMs(best.p50Ms)} | ${formatMs(best.p99Ms)} | ${formatCount(best.roundTrips)} | ${formatCount(best.commandsPerRequest)} | ${best.redisUsPerRequest.toFixed(1)} | ${best.redisCpuUsPerRequest.toFixed(1)} | ${Math.round(best.serverCpuUsPerRequest)} | ${cell === floor ? '100%' : formatPercent(ratio(cell, floor))} | ${cell.stack.kind === 'sessionkit' ? formatTimes(ratio(cell, peer)) : '—'} |`,
        );
      }
    }
    lines.push('');
  }
  return lines;
}

function rounds(input: ReportInput): string[] {
  const lines = ['## Every round (req/s)', '', '| stack | scenario | rounds | spread |', '| --- | --- | --- | ---: |'];
  for (const cell of input.cells) {
    const values = cell.rounds.map((m) => m.rps);
    const spread = values.length > 1 ? (Math.max(...values) - Math.min(...values)) / Math.max(...values) : 0;
    lines.push(
      `| ${cell.stack.id} | ${cell.scenario} | ${values.map(formatRps).join(' · ')} | ${formatPercent(spread)} |`,
    );
  }
  return [...lines, ''];
}

function problems(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const cell of input.cells) {
    for (const m of cell.rounds) {
      if (m.failures > 0)
        lines.push(
          `- ${cell.stack.id} ${cell.scenario}, round ${m.round + 1}: ${m.failures} failed requests of ${m.requests}`,
        );
      for (const problem of m.problems)
        lines.push(`- ${cell.stack.id} ${cell.scenario}, round ${m.round + 1}: ${problem}`);
    }
  }
  for (const reason of input.unavailable) lines.push(`- ${reason}`);
  return lines.length === 0 ? [] : ['## Problems', '', ...lines, ''];
}

/** The whole report as Markdown. */
export function renderReport(input: ReportInput): string {
  return [...header(input), ...summary(input.rows), ...details(input), ...problems(input), ...rounds(input)].join('\n');
}
