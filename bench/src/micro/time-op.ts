/**
 * Times one operation: wall time and CPU time (process-wide, so WebCrypto's thread-pool work is
 * counted too) per call, sequentially or with many calls in flight as under HTTP load.
 *
 * @module
 */

/** Cost of one call. */
export interface OpCost {
  readonly name: string;
  readonly concurrency: number;
  /** Wall time per call, µs (with concurrency, the inverse of throughput). */
  readonly wallUs: number;
  /** CPU time per call over all threads, µs. */
  readonly cpuUs: number;
}

/**
 * Runs `op` `iterations` times (after a tenth as many unmeasured calls), `concurrency` at a time.
 *
 * @param op - the operation; may return a promise
 */
export async function timeOp(name: string, op: () => unknown, iterations: number, concurrency = 1): Promise<OpCost> {
  const run = async (count: number): Promise<void> => {
    for (let done = 0; done < count; done += concurrency) {
      if (concurrency === 1) await op();
      else await Promise.all(Array.from({ length: Math.min(concurrency, count - done) }, () => op()));
    }
  };
  await run(Math.ceil(iterations / 10));
  const cpuBefore = process.cpuUsage();
  const startNs = process.hrtime.bigint();
  await run(iterations);
  const wallUs = Number(process.hrtime.bigint() - startNs) / 1000 / iterations;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, concurrency, wallUs, cpuUs: (cpu.user + cpu.system) / iterations };
}
