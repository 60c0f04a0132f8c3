/**
 * Every figure the bench measures, printed as it comes next to its target (issue 7's table) and a
 * baseline measured in the same run, then gathered into one table at the end.
 */

export type Unit = "ms" | "MB" | "B" | "µs";

export type Verdict = "MET" | "MISS" | "NOT SUPPORTED TODAY" | "—";

export interface Baseline {
  label: string;
  value: number;
}

export interface Figure {
  what: string;
  value: number;
  unit: Unit;
  /** The target as an upper bound in the same unit; absent for figures with no target (context). */
  limit?: number;
  /** How the target reads when it is not simply "<= limit" (e.g. relative to another figure). */
  targetText?: string;
  baseline?: Baseline;
  note?: string;
}

interface Row {
  what: string;
  measured: string;
  target: string;
  verdict: Verdict;
  baseline: string;
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "ms":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
    case "µs":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} ms` : `${value.toFixed(2)} µs`;
    case "MB":
      return value >= 1024 ? `${(value / 1024).toFixed(2)} GB` : `${value.toFixed(0)} MB`;
    case "B":
      return value >= 10_240 ? `${(value / 1024).toFixed(1)} KiB` : `${value.toFixed(0)} B`;
  }
}

export class Scoreboard {
  private readonly rows: Row[] = [];

  constructor(private readonly say: (line: string) => void) {}

  /** A measured figure: printed now with its verdict and its ratio to the baseline. */
  record(f: Figure): void {
    const measured = formatValue(f.value, f.unit);
    const target = f.limit === undefined ? "—" : (f.targetText ?? `<= ${formatValue(f.limit, f.unit)}`);
    const verdict: Verdict =
      f.limit === undefined ? "—" : Number.isFinite(f.value) && f.value <= f.limit ? "MET" : "MISS";
    const baseline = f.baseline
      ? `${(f.value / f.baseline.value).toFixed(2)}x ${f.baseline.label} (${formatValue(f.baseline.value, f.unit)})`
      : "";
    this.rows.push({ what: f.what, measured, target, verdict, baseline });
    const head =
      f.limit === undefined
        ? `${f.what}: ${measured}`
        : `${f.what}: ${measured} (target ${target}): ${verdict}`;
    this.say(`${head}${baseline ? `  |  ${baseline}` : ""}${f.note ? `  [${f.note}]` : ""}`);
  }

  /** A target today's code cannot be measured against at all: said so, never faked. */
  unsupported(what: string, target: string, reason: string): void {
    this.rows.push({ what, measured: "—", target, verdict: "NOT SUPPORTED TODAY", baseline: reason });
    this.say(`${what}: not supported today (target ${target}): ${reason}`);
  }

  /** The whole run as a Markdown table (pasted into the README's Capacity section). */
  table(): string {
    const lines = [
      "| what a user feels | measured | target | verdict | against the baseline |",
      "|---|---|---|---|---|",
    ];
    for (const r of this.rows) {
      lines.push(`| ${r.what} | ${r.measured} | ${r.target} | ${r.verdict} | ${r.baseline} |`);
    }
    return lines.join("\n");
  }
}
