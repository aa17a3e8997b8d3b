/**
 * The chart people read before the table: per framework and scenario, the req/s of the peer and
 * of sessionkit as a percentage of that framework's floor, with the floor (100%) and sessionkit's
 * target drawn in. Plain SVG, written by hand so it needs no browser and no chart library.
 *
 * @module
 */
import { judgeTarget, ratio, type Row } from './aggregate.js';
import { formatPercent } from './format.js';
import { SCENARIOS } from './scenarios.js';
import { type Framework, frameworkLabel } from './stacks.js';

/** What the chart shows besides the rows. */
export interface ChartInput {
  readonly rows: readonly Row[];
  readonly frameworks: readonly Framework[];
  /** One line under the title: date, machine, parameters. */
  readonly subtitle: string;
}

const WIDTH_PX = 1100;
const LEFT_PX = 64;
const RIGHT_PX = 24;
const HEADER_PX = 100;
const PANEL_PX = 250;
const PLOT_TOP_PX = 34;
const PLOT_PX = 170;
const COLORS = {
  sessionkit: '#2563eb',
  peer: '#9aa5b1',
  floor: '#111827',
  target: '#dc2626',
  grid: '#e5e7eb',
  text: '#111827',
  muted: '#4b5563',
};
const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${attrs}>${escapeXml(content)}</text>`;
}

function legend(y: number): string[] {
  let x = LEFT_PX;
  const items: string[] = [];
  const entry = (swatch: string, label: string, widthPx: number): void => {
    items.push(
      swatch.replace(/X0/g, String(x)).replace(/X1/g, String(x + 22)),
      text(x + 30, y + 5, label, `font-size="13" fill="${COLORS.text}"`),
    );
    x += widthPx;
  };
  entry(`<rect x="X0" y="${y - 7}" width="22" height="12" fill="${COLORS.sessionkit}"/>`, 'sessionkit', 130);
  entry(
    `<rect x="X0" y="${y - 7}" width="22" height="12" fill="${COLORS.peer}"/>`,
    'peer (express-session, @fastify/session, koa-session, hono-sessions)',
    520,
  );
  entry(
    `<line x1="X0" y1="${y}" x2="X1" y2="${y}" stroke="${COLORS.floor}" stroke-width="2" stroke-dasharray="6 4"/>`,
    'floor = 100%',
    150,
  );
  entry(
    `<line x1="X0" y1="${y}" x2="X1" y2="${y}" stroke="${COLORS.target}" stroke-width="3"/>`,
    "sessionkit's target",
    200,
  );
  return items;
}

function panel(rows: readonly Row[], framework: Framework, top: number, maxPercent: number): string[] {
  const out: string[] = [
    text(LEFT_PX, top + 18, frameworkLabel(framework), `font-size="16" font-weight="bold" fill="${COLORS.text}"`),
  ];
  const plotTop = top + PLOT_TOP_PX;
  const plotWidth = WIDTH_PX - LEFT_PX - RIGHT_PX;
  const y = (percent: number): number => plotTop + PLOT_PX - (Math.min(percent, maxPercent) / maxPercent) * PLOT_PX;
  for (let p = 0; p <= maxPercent; p += 20) {
    out.push(
      `<line x1="${LEFT_PX}" y1="${y(p)}" x2="${WIDTH_PX - RIGHT_PX}" y2="${y(p)}" stroke="${COLORS.grid}" stroke-width="1"/>`,
    );
    out.push(text(LEFT_PX - 8, y(p) + 4, `${p}%`, `font-size="11" fill="${COLORS.muted}" text-anchor="end"`));
  }
  const mine = rows.filter((row) => row.framework === framework);
  const groupWidth = plotWidth / Math.max(mine.length, 1);
  const barWidth = groupWidth * 0.3;
  mine.forEach((row, index) => {
    const center = LEFT_PX + groupWidth * (index + 0.5);
    const bars = [
      { value: ratio(row.peer, row.floor), color: COLORS.peer, x: center - barWidth - 3 },
      { value: ratio(row.sessionkit, row.floor), color: COLORS.sessionkit, x: center + 3 },
    ];
    for (const bar of bars) {
      if (bar.value === undefined) {
        out.push(
          text(bar.x + barWidth / 2, y(0) - 6, 'n/a', `font-size="12" fill="${COLORS.muted}" text-anchor="middle"`),
        );
        continue;
      }
      const percent = bar.value * 100;
      const heightPx = y(0) - y(percent);
      out.push(
        `<rect x="${bar.x.toFixed(1)}" y="${y(percent).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${heightPx.toFixed(1)}" fill="${bar.color}"/>`,
      );
      // Inside the bar when it is tall enough, so the label never collides with the target line.
      const inside = heightPx > 24;
      const labelY = inside ? y(percent) + 17 : y(percent) - 5;
      const color = inside ? '#ffffff' : COLORS.text;
      out.push(
        text(
          bar.x + barWidth / 2,
          labelY,
          formatPercent(bar.value),
          `font-size="13" font-weight="bold" fill="${color}" text-anchor="middle"`,
        ),
      );
    }
    const target = SCENARIOS[row.scenario].target;
    const peerRatio = ratio(row.peer, row.floor);
    const targetPercent =
      target.against === 'floor'
        ? target.ratio * 100
        : peerRatio === undefined
          ? undefined
          : peerRatio * target.ratio * 100;
    if (targetPercent !== undefined) {
      const ty = y(targetPercent);
      // A tick beside sessionkit's bar, not across it, so it never hides the bar's label.
      const tickX = center + 3 + barWidth;
      out.push(
        `<line x1="${(tickX + 2).toFixed(1)}" y1="${ty.toFixed(1)}" x2="${(tickX + 18).toFixed(1)}" y2="${ty.toFixed(1)}" stroke="${COLORS.target}" stroke-width="4"/>`,
      );
    }
    const verdict = judgeTarget(row).met;
    const mark = verdict === undefined ? '' : verdict ? '  ✓' : '  ✗';
    out.push(
      text(
        center,
        plotTop + PLOT_PX + 20,
        `${SCENARIOS[row.scenario].label}${mark}`,
        `font-size="13" fill="${COLORS.text}" text-anchor="middle"`,
      ),
    );
  });
  out.push(
    `<line x1="${LEFT_PX}" y1="${y(100)}" x2="${WIDTH_PX - RIGHT_PX}" y2="${y(100)}" stroke="${COLORS.floor}" stroke-width="2" stroke-dasharray="6 4"/>`,
  );
  out.push(
    `<line x1="${LEFT_PX}" y1="${y(0)}" x2="${WIDTH_PX - RIGHT_PX}" y2="${y(0)}" stroke="${COLORS.floor}" stroke-width="1"/>`,
  );
  return out;
}

/** The chart as an SVG document. */
export function renderChartSvg(input: ChartInput): string {
  const values = input.rows
    .flatMap((row) => [ratio(row.peer, row.floor), ratio(row.sessionkit, row.floor)])
    .filter((v): v is number => v !== undefined);
  const maxPercent = Math.max(120, Math.ceil((Math.max(0, ...values) * 100 + 10) / 20) * 20);
  const heightPx = HEADER_PX + PANEL_PX * input.frameworks.length + 10;
  const body = [
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(
      LEFT_PX,
      32,
      'sessionkit vs peers: req/s as % of the floor (bare framework + minimum Redis round trips)',
      `font-size="19" font-weight="bold" fill="${COLORS.text}"`,
    ),
    text(LEFT_PX, 56, input.subtitle, `font-size="12" fill="${COLORS.muted}"`),
    ...legend(82),
    ...input.frameworks.flatMap((framework, index) =>
      panel(input.rows, framework, HEADER_PX + index * PANEL_PX, maxPercent),
    ),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${WIDTH_PX} ${heightPx}">\n${body.join('\n')}\n</svg>\n`;
}
