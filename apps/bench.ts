/**
 * `npm run bench`: wall time and peak memory of the full synth of every environment, measured in
 * fresh node processes (compiled JS, as `npm run synth` runs it) writing into a temporary folder.
 * Reports the median wall time and the highest peak RSS over the runs, per scenario. Numbers only;
 * nothing here asserts a time.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const RUNS = Number(process.env.EPC_BENCH_RUNS ?? 5);
const main = path.join(__dirname, 'main.js');

interface Sample {
  readonly wallMs: number;
  readonly maxRssKiB: number;
}

function measure(args: readonly string[]): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'epc-bench-'));
  try {
    const started = process.hrtime.bigint();
    const stdout = execFileSync(process.execPath, [main, ...args, '--outdir', outdir], { env: { ...process.env, EPC_BENCH_REPORT: '1' }, encoding: 'utf8' });
    const processMs = Number(process.hrtime.bigint() - started) / 1e6;
    const inner = JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
    return { wallMs: processMs, maxRssKiB: inner.maxRssKiB };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const scenarios: Array<[string, string[]]> = [
  ['terraform: 3 stacks (dev, staging, prod)', ['--only', 'terraform']],
  ['kubernetes: 3 environments', ['--only', 'kubernetes']],
  ['full synth: both worlds, 3 environments, gate', []],
];

process.stdout.write(`node ${process.version}, ${os.cpus().length} cores, ${RUNS} runs per scenario, each a fresh process\n\n`);
process.stdout.write('| scenario | median wall (process start to exit) | peak RSS |\n| --- | --- | --- |\n');
for (const [name, args] of scenarios) {
  measure(args); // warm the file cache
  const samples = Array.from({ length: RUNS }, () => measure(args));
  const wall = median(samples.map((s) => s.wallMs));
  const rss = Math.max(...samples.map((s) => s.maxRssKiB));
  process.stdout.write(`| ${name} | ${(wall / 1000).toFixed(2)} s | ${(rss / 1024).toFixed(0)} MiB |\n`);
}
