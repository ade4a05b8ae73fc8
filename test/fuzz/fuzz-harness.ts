/**
 * What the fuzz properties run: a synth of a platform into a folder, then the output judged as a user's CI would
 * (`eks-platform check` over every environment's folder and stack, and strict schema validation of every object).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { synthesize } from '../../lib/app/synthesize';
import { checkPaths } from '../../lib/policy/check';
import type { Platform } from '../../lib/model/platform';
import { listFiles } from '../../lib/synth';
import { strictSchemaProblems } from '../fixtures/schema-validation';

/** The seed and the runs of the fuzz tests: fixed in `npm test`, `FUZZ_SEED` and `FUZZ_RUNS` for a longer run (`npm run fuzz`). */
export function fuzzSettings(defaultRuns: number): { seed: number; numRuns: number } {
  return { seed: Number(process.env.FUZZ_SEED ?? 20261205), numRuns: Number(process.env.FUZZ_RUNS ?? defaultRuns) };
}

/** Synthesizes both worlds into `outdir` and returns what the check and the schemas find in the output. */
export async function synthAndJudge(platform: Platform, outdir: string): Promise<string[]> {
  synthesize(platform, { outdir });
  const problems: string[] = [];
  const paths = [
    ...platform.environments.map((e) => path.join('dist', e.name)),
    ...platform.environments.map((e) => path.join('cdktf.out', 'stacks', e.name, 'cdk.tf.json')),
  ];
  const report = checkPaths(paths, { cwd: outdir });
  problems.push(...report.findings.filter((f) => f.severity === 'error').map((f) => `check [${f.rule}] ${f.file}: ${f.kind} ${f.name} ${f.field ?? ''}: ${f.message}`));
  const objects = platform.environments.flatMap((e) => listFiles(path.join(outdir, 'dist', e.name))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadAll(fs.readFileSync(path.join(outdir, 'dist', e.name, f), 'utf8')).filter((o) => o !== null)));
  problems.push(...(await strictSchemaProblems(objects)).map((p) => `schema: ${p}`));
  return problems;
}

/** Every file below `dir` with its text (the synth's state folder left out). */
export function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).filter((f) => !f.startsWith('.eks-platform/')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}
