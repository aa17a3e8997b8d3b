/**
 * Number formats shared by the table and the chart.
 *
 * @module
 */

/** 12345.6 → "12,346". */
export function formatRps(rps: number): string {
  return Math.round(rps).toLocaleString('en-US');
}

/** Latency in ms. autocannon's histogram keeps whole milliseconds, so 0 means under 1 ms. */
export function formatMs(ms: number): string {
  return ms < 1 ? '<1' : ms.toFixed(0);
}

/** 0.934 → "93%"; undefined → "—". */
export function formatPercent(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

/** 1.456 → "1.46×"; undefined → "—". */
export function formatTimes(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

/** A per-request count: whole numbers as is, others with two decimals. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** 547.3 → "9 min 7 s". */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
