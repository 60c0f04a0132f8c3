export interface Summary {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Percentiles of latencies in nanoseconds, reported in microseconds. */
export function summarize(samplesNs: Float64Array | number[]): Summary {
  const sorted = Float64Array.from(samplesNs).sort();
  const pick = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    p50: pick(0.5),
    p99: pick(0.99),
    p999: pick(0.999),
    max: (sorted[sorted.length - 1] ?? 0) / 1000,
    mean: sum / sorted.length / 1000,
  };
}

/** The middle value (the lower of the two middles for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

export const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} µs`);
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
