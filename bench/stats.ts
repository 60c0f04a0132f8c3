export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Percentiles of latencies in nanoseconds, reported in microseconds. */
export function summarize(samplesNs: Float64Array | number[]): Summary {
  const sorted = Float64Array.from(samplesNs).sort();
  const pick = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n: sorted.length, p50: pick(0.5), p99: pick(0.99), mean: sum / sorted.length / 1000 };
}

export const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} µs`);
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
