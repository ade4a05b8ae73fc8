/**
 * Drift control: is the committed output what the platform synthesizes now? `eks-platform synth --check` (and
 * {@link checkDrift}) synthesizes into a temporary folder, through the same gate, and compares it file by file with
 * the output folders; it writes nothing there. A change to the library or to the platform module without a fresh
 * synth, or a hand edit of a file under `dist/`, is then a list of files and an exit code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Platform } from '../model/platform';
import { listFiles } from '../synth';
import { selectEnvironments } from './environments';
import { outputFolders, synthesize, synthesizeModule, type SynthesisResult, type SynthesizeOptions, type SynthesizeTargetOptions } from './synthesize';

/** How a file of the output differs from what the platform synthesizes now. */
export enum DriftKind {
  /** The file exists in both, with other bytes. */
  CHANGED = 'changed',
  /** The synth writes the file; the output folder lacks it. */
  MISSING = 'missing',
  /** The output folder has the file; the synth does not write it (a stale file, or one added by hand). */
  UNEXPECTED = 'unexpected',
}

/** One file that differs. */
export interface DriftedFile {
  /** The file, as the output folder's path joined with the file's path inside it (`dist/prod/platform.k8s.yaml`). */
  readonly file: string;
  readonly kind: DriftKind;
}

/** What {@link checkDrift} found. */
export interface DriftReport {
  /** The environments compared, in the platform's order. */
  readonly environments: readonly string[];
  /** The output folders compared. */
  readonly compared: readonly string[];
  /** Why a world was not compared (the Terraform side when its output folder does not exist: it is rarely committed). */
  readonly notes: readonly string[];
  /** The files that differ, sorted by path. */
  readonly drifted: readonly DriftedFile[];
  /** Warnings of the constructs during the synth. */
  readonly warnings: SynthesisResult['warnings'];
}

/**
 * Synthesizes `platform` into a temporary folder and compares it with the output folders `options` name (the same
 * defaults as {@link synthesize}). Writes nothing into them; a refused platform throws as a synth does.
 */
export function checkDrift(platform: Platform, options: SynthesizeOptions = {}): DriftReport {
  selectEnvironments(platform, options.environments);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-platform-check-'));
  try {
    return compare(options, scratchFolders(root), synthesize(platform, { ...options, ...scratchFolders(root) }));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** {@link checkDrift} of a platform module, with its `synthOptions` (what `eks-platform synth --check` runs). */
export async function checkModuleDrift(file: string, options: SynthesizeTargetOptions = {}): Promise<DriftReport> {
  return compareInScratchAsync(options, (scratch) => synthesizeModule(file, { ...options, ...scratch }));
}

type ScratchFolders = Required<Pick<SynthesizeTargetOptions, 'outdir' | 'terraformOutdir' | 'kubernetesOutdir'>>;

function scratchFolders(root: string): ScratchFolders {
  return { outdir: root, terraformOutdir: path.join(root, 'cdktf.out'), kubernetesOutdir: path.join(root, 'dist') };
}

async function compareInScratchAsync(options: SynthesizeTargetOptions, synth: (scratch: ScratchFolders) => Promise<SynthesisResult>): Promise<DriftReport> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-platform-check-'));
  try {
    const result = await synth(scratchFolders(root));
    return compare(options, scratchFolders(root), result);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Compares the scratch synth with the real output folders. */
function compare(options: SynthesizeTargetOptions, scratch: ScratchFolders, result: SynthesisResult): DriftReport {
  const real = outputFolders(options);
  const drifted: DriftedFile[] = [];
  const compared: string[] = [];
  const notes: string[] = [];
  const all = options.environments === undefined || options.environments.length === 0;
  if (options.only !== 'terraform') {
    for (const env of result.environments) {
      const dir = path.join(real.kubernetes, env);
      compared.push(dir);
      drifted.push(...compareFolders(dir, path.join(scratch.kubernetesOutdir, env)));
    }
    // an environment folder the platform no longer has is stale output
    if (all && fs.existsSync(real.kubernetes)) {
      for (const entry of fs.readdirSync(real.kubernetes, { withFileTypes: true })) {
        if (!result.environments.includes(entry.name) && !entry.name.startsWith('.')) {
          const stale = path.join(real.kubernetes, entry.name);
          drifted.push(...(entry.isDirectory() ? listFiles(stale).map((f) => ({ file: path.join(stale, f), kind: DriftKind.UNEXPECTED })) : [{ file: stale, kind: DriftKind.UNEXPECTED }]));
        }
      }
    }
  }
  if (options.only !== 'kubernetes') {
    if (!fs.existsSync(real.terraform)) {
      notes.push(`${real.terraform} does not exist: the Terraform side is not committed here, so it was not compared`);
    } else {
      compared.push(real.terraform);
      const stacks = fs.existsSync(path.join(scratch.terraformOutdir, 'stacks')) ? fs.readdirSync(path.join(scratch.terraformOutdir, 'stacks')).sort() : [];
      for (const stack of stacks) {
        drifted.push(...compareFolders(path.join(real.terraform, 'stacks', stack), path.join(scratch.terraformOutdir, 'stacks', stack)));
      }
      if (all) {
        drifted.push(...compareFolders(real.terraform, scratch.terraformOutdir, (f) => !f.startsWith('stacks/') || !stacks.includes(f.split('/')[1])));
      }
    }
  }
  drifted.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { environments: result.environments, compared, notes, drifted, warnings: result.warnings };
}

/** The files of `expected` (what the synth wrote) and `actual` (the output folder) that differ; paths under `actual`. */
function compareFolders(actual: string, expected: string, include: (file: string) => boolean = () => true): DriftedFile[] {
  const have = fs.existsSync(actual) ? listFiles(actual).filter(include) : [];
  const want = fs.existsSync(expected) ? listFiles(expected).filter(include) : [];
  const haveSet = new Set(have);
  const out: DriftedFile[] = [];
  for (const f of want) {
    if (!haveSet.has(f)) {
      out.push({ file: path.join(actual, f), kind: DriftKind.MISSING });
    } else if (!fs.readFileSync(path.join(actual, f)).equals(fs.readFileSync(path.join(expected, f)))) {
      out.push({ file: path.join(actual, f), kind: DriftKind.CHANGED });
    }
  }
  const wantSet = new Set(want);
  for (const f of have) {
    if (!wantSet.has(f)) {
      out.push({ file: path.join(actual, f), kind: DriftKind.UNEXPECTED });
    }
  }
  return out;
}

/** The report as the command prints it: one line per drifted file, then what to do. */
export function formatDrift(report: DriftReport, module: string): string {
  const rel = (p: string) => path.relative('.', p).split(path.sep).join('/') || '.';
  const notes = report.notes.map((n) => `note: ${n}\n`).join('');
  if (report.compared.length === 0) {
    return `${notes}nothing compared: no output folder of ${module} to check (synthesize and commit it first)\n`;
  }
  if (report.drifted.length === 0) {
    return `${notes}no drift: ${report.compared.map(rel).join(', ')} match what ${module} synthesizes (${report.environments.join(', ')})\n`;
  }
  const lines = report.drifted.map((d) => `  ${d.kind.padEnd(10)} ${rel(d.file)}`);
  return `${notes}drift: ${report.drifted.length} file(s) differ from what ${module} synthesizes now:\n${lines.join('\n')}\nrun \`eks-platform synth ${module}\` and commit the output (a hand edit of generated output is overwritten by the next synth)\n`;
}
