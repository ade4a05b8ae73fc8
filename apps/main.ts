/**
 * The main job: synthesizes every environment of the reference platform, both worlds, atomically.
 *
 *   node build/apps/main.js [env ...] [--outdir DIR] [--only terraform|kubernetes]
 *
 * Terraform JSON goes to `<outdir>/cdktf.out/stacks/<env>/cdk.tf.json`, Kubernetes YAML to
 * `<outdir>/dist/<env>/`. Everything is first written to temporary folders and checked by the
 * gate (lib/policy); only when all of it succeeded does it replace the previous output.
 */
import * as path from 'node:path';
import { checkOutput } from '../lib/policy/gate';
import { writeAtomically, type OutputTarget } from '../lib/synth';
import { buildKubernetesApp } from './kubernetes';
import { platform } from './platform';
import { buildTerraformApp } from './terraform';

/** What the command line asked for. */
export interface MainOptions {
  /** Environments to synthesize; all of the platform's when empty. */
  readonly environments: readonly string[];
  /** The folder that holds `cdktf.out/` and `dist/`. */
  readonly outdir: string;
  /** Synthesize one world only. */
  readonly only?: 'terraform' | 'kubernetes';
}

/** Parses `[env ...] [--outdir DIR] [--only terraform|kubernetes]`. */
export function parseArgs(argv: readonly string[]): MainOptions {
  const environments: string[] = [];
  let outdir = '.';
  let only: MainOptions['only'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--outdir') {
      outdir = argv[++i] ?? '';
    } else if (arg === '--only') {
      const value = argv[++i];
      if (value !== 'terraform' && value !== 'kubernetes') {
        throw new Error(`main: --only is ${JSON.stringify(value)}; allowed: terraform or kubernetes`);
      }
      only = value;
    } else if (arg.startsWith('--')) {
      throw new Error(`main: unknown option ${arg}; allowed: --outdir DIR, --only terraform|kubernetes`);
    } else {
      environments.push(arg);
    }
  }
  if (!outdir) {
    throw new Error('main: --outdir needs a folder');
  }
  return { environments, outdir, only };
}

/** Synthesizes the selected environments into `options.outdir`, atomically; returns the folders written. */
export function synthesizeAll(options: MainOptions): string[] {
  const names = options.environments.length > 0 ? options.environments : platform.environments.map((e) => e.name);
  names.forEach((name) => platform.environment(name)); // an unknown name fails here, before anything is written
  const targets: OutputTarget[] = [];
  if (options.only !== 'kubernetes') {
    targets.push({ dir: path.join(options.outdir, 'cdktf.out'), write: (tmp) => buildTerraformApp(platform, tmp, names).synth() });
  }
  if (options.only !== 'terraform') {
    for (const name of names) {
      targets.push({ dir: path.join(options.outdir, 'dist', name), write: (tmp) => buildKubernetesApp(platform, name, tmp).synth() });
    }
  }
  writeAtomically(targets, { gate: checkOutput });
  return targets.map((t) => t.dir);
}

if (require.main === module) {
  const started = process.hrtime.bigint();
  try {
    const written = synthesizeAll(parseArgs(process.argv.slice(2)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (process.env.EPC_BENCH_REPORT) {
      process.stdout.write(`${JSON.stringify({ wallMs: ms, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
    } else {
      process.stdout.write(`synthesized ${written.map((d) => path.relative('.', d) || '.').join(', ')}\n`);
    }
  } catch (err) {
    process.stderr.write(`synth failed, nothing written: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
