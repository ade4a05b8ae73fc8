/**
 * Atomic writing of synthesized output: every target is written into a temporary sibling folder,
 * the gate checks the temporary folders, and only when all of that succeeded does each temporary
 * folder replace its target. A failed synth leaves every target as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One folder of output, e.g. `dist/prod` or `cdktf.out`. */
export interface OutputTarget {
  /** The folder the output finally lives in. */
  readonly dir: string;
  /** Writes the output into `tmpDir` (an empty folder that exists). Throwing aborts the whole synth. */
  readonly write: (tmpDir: string) => void;
}

/** Options for {@link writeAtomically}. */
export interface WriteAtomicallyOptions {
  /**
   * Checks the written output before it replaces anything; throw to refuse it.
   * Receives each target's final folder mapped to the temporary folder holding its new output.
   * @default no gate
   */
  readonly gate?: (written: ReadonlyMap<string, string>) => void;
}

function tempSibling(dir: string, kind: 'tmp' | 'old'): string {
  const abs = path.resolve(dir);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${kind}-${process.pid}`);
}

/** Writes every target into a temporary folder, runs the gate, then swaps all targets in. */
export function writeAtomically(targets: readonly OutputTarget[], options: WriteAtomicallyOptions = {}): void {
  const written = new Map<string, string>();
  try {
    for (const target of targets) {
      const tmp = tempSibling(target.dir, 'tmp');
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      written.set(target.dir, tmp);
      target.write(tmp);
    }
    options.gate?.(written);
  } catch (err) {
    for (const tmp of written.values()) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    throw err;
  }
  for (const [dir, tmp] of written) {
    const old = tempSibling(dir, 'old');
    fs.rmSync(old, { recursive: true, force: true });
    if (fs.existsSync(dir)) {
      fs.renameSync(dir, old);
    }
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
  }
}

/** Every file below `dir`, as paths relative to it with '/' separators, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else {
        out.push(child);
      }
    }
  };
  walk('');
  return out.sort();
}
