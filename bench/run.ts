import { runEngineBench } from "./engine-bench.js";

/**
 * npm run bench: every figure next to a baseline measured in the same run (a raw Map, SQLite),
 * because these machines are noisy. QUAN_BENCH_CODES overrides the list size (default 1,000,000).
 */
const codes = Number(process.env.QUAN_BENCH_CODES ?? 1_000_000);
const say = (line: string) => process.stdout.write(`${line}\n`);
say(`quan bench — node ${process.version}, ${new Date().toISOString()}`);
say("\n== coupon engine and store ==");
runEngineBench(codes, say);
