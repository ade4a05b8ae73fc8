/**
 * Atomic, crash-safe writing of synthesized output, across every folder of one synth.
 *
 * The protocol (all state lives in the synth's state folder, `<outdir>/.eks-platform`):
 * 1. **Lock.** `lock` holds the pid of the synth writing; a lock whose process is gone is taken over.
 * 2. **Recover.** A journal left by a killed run is finished first (see {@link recoverOutput}).
 * 3. **Write.** The journal is written in state `writing`, naming each target and its new sibling
 *    `.<name>.next-<txn>`; every target is written into its sibling, and the gate checks them all.
 *    A refusal (or a kill) here removes the siblings: the previous output was never touched.
 * 4. **Commit.** The journal is atomically renamed into state `committed`: from this instant the new output is
 *    complete and will be swapped in, by this run or by the next one.
 * 5. **Swap.** Each target is renamed to `.<name>.prev-<txn>` and its `next` sibling renamed into its place.
 *    A kill between the two renames leaves the previous output complete in `prev`, named by the journal.
 * 6. **Clean.** The `prev` siblings are removed, then the journal, then the lock.
 *
 * A kill -9 at any instant therefore leaves either the previous output of every folder, or (once committed) the new
 * output of every folder, plus what the journal needs to finish; the next synth, or {@link recoverOutput}, finishes
 * it and removes what dead runs left behind. Paths in the journal are relative to the state folder's parent, so
 * it holds no machine paths.
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

/** The steps of {@link writeAtomically}, in order, as passed to `onStep` (the crash test kills the process at each). */
export type SynthStep =
  | 'locked'
  | 'recovered'
  | 'journal-writing'
  | 'written'
  | 'gated'
  | 'journal-committed'
  | 'moved-aside'
  | 'swapped'
  | 'prev-removed'
  | 'journal-removed';

/** Options for {@link writeAtomically}. */
export interface WriteAtomicallyOptions {
  /**
   * Checks the written output before it replaces anything; throw to refuse it.
   * Receives each target's final folder mapped to the temporary folder holding its new output.
   * @default no gate
   */
  readonly gate?: (written: ReadonlyMap<string, string>) => void;
  /**
   * The folder of the lock and the journal. Every synth writing the same targets must use the same one.
   * @default `.eks-platform` beside the first target's parent folder
   */
  readonly stateDir?: string;
  /**
   * Called after each step, with the target's folder for the steps taken per target. For tests of crash safety.
   * @default nothing
   */
  readonly onStep?: (step: SynthStep, dir?: string) => void;
}

/** What {@link recoverOutput} did. */
export interface RecoveryResult {
  /** One line per thing done, for the user; empty when there was nothing to recover. */
  readonly messages: readonly string[];
  /** `rolled-forward` when an interrupted, committed synth was completed; `rolled-back` when an uncommitted one was discarded. */
  readonly action: 'none' | 'rolled-forward' | 'rolled-back';
}

/** A lock held by a live process: another synth is writing the same output. */
export class SynthLockedError extends Error {
  constructor(stateDir: string, pid: number) {
    super(`another synth (pid ${pid}) is writing this output (lock ${path.join(stateDir, LOCK_FILE)}); wait for it, or remove the lock if that process is not a synth`);
    this.name = 'SynthLockedError';
  }
}

const LOCK_FILE = 'lock';
const JOURNAL_FILE = 'journal.json';
const SIBLING = /^\.(.+)\.(next|prev)-([0-9a-z-]+)$/;
/** Leftovers of the first version of the writer (`.X.tmp-<pid>`, `.X.old-<pid>`). */
const LEGACY_SIBLING = /^\.(.+)\.(tmp|old)-(\d+)$/;

interface JournalEntry {
  /** The target, relative to the state folder's parent. */
  readonly dir: string;
  readonly next: string;
  readonly prev: string;
}

interface Journal {
  readonly state: 'writing' | 'committed';
  readonly txn: string;
  readonly targets: readonly JournalEntry[];
}

function sibling(dir: string, kind: 'next' | 'prev', txn: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.${kind}-${txn}`);
}

function defaultStateDir(targets: readonly OutputTarget[]): string {
  return path.join(path.dirname(path.resolve(targets[0]?.dir ?? '.')), '.eks-platform');
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `content` to `file` by a rename, so a reader sees the old content or the new, never a part. */
function writeFileAtomically(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

function acquireLock(stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const lock = path.join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    }
    const holder = Number(readOrEmpty(lock).trim());
    if (holder !== process.pid && isAlive(holder)) {
      throw new SynthLockedError(stateDir, holder);
    }
    // the holder died (or it is us, re-entering after a crash of our own pid's predecessor): take the lock over
    fs.rmSync(lock, { force: true });
  }
  throw new Error(`could not take the synth lock ${lock}`);
}

function releaseLock(stateDir: string): void {
  const lock = path.join(stateDir, LOCK_FILE);
  if (Number(readOrEmpty(lock).trim()) === process.pid) {
    fs.rmSync(lock, { force: true });
  }
  try {
    fs.rmdirSync(stateDir); // a state folder with nothing to recover leaves no trace
  } catch {
    // not empty (a journal to finish), or already gone
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readJournal(stateDir: string): Journal | undefined {
  const text = readOrEmpty(path.join(stateDir, JOURNAL_FILE));
  if (!text) {
    return undefined;
  }
  const journal = JSON.parse(text) as Journal;
  if ((journal.state !== 'writing' && journal.state !== 'committed') || !Array.isArray(journal.targets)) {
    throw new Error(`the synth journal ${path.join(stateDir, JOURNAL_FILE)} is not one this version wrote; move it away and synthesize again`);
  }
  return journal;
}

function writeJournal(stateDir: string, journal: Journal): void {
  writeFileAtomically(path.join(stateDir, JOURNAL_FILE), `${JSON.stringify(journal, undefined, 2)}\n`);
}

/** A fresh transaction id: the pid and a counter, so that siblings of different runs never collide. */
let txnCounter = 0;
function newTxn(): string {
  txnCounter += 1;
  return `${process.pid}-${txnCounter}`;
}

/**
 * Finishes what a killed synth left in `stateDir` and removes what dead runs left behind, then returns what it did.
 * A committed journal is rolled forward (every folder gets the interrupted synth's complete output); a journal still
 * `writing` is rolled back (its partial output is removed, the previous output was never touched). Siblings named
 * `.<name>.next-*`/`.prev-*` (and the first writer's `.<name>.tmp-*`/`.old-*`) that dead runs left in the folders
 * of the journal's targets, or in `sweep`, are removed; a target that a legacy run left missing gets its `.old-*` copy back.
 * Idempotent: running it again does nothing. Throws {@link SynthLockedError} while another synth runs.
 */
export function recoverOutput(stateDir: string, sweep: readonly string[] = []): RecoveryResult {
  if (!fs.existsSync(stateDir) && sweep.every((d) => !fs.existsSync(d))) {
    return { messages: [], action: 'none' };
  }
  acquireLock(stateDir);
  try {
    return recoverLocked(stateDir, sweep);
  } finally {
    releaseLock(stateDir);
  }
}

function recoverLocked(stateDir: string, sweep: readonly string[]): RecoveryResult {
  const base = path.dirname(path.resolve(stateDir));
  const messages: string[] = [];
  let action: RecoveryResult['action'] = 'none';
  const journal = readJournal(stateDir);
  const parents = new Set(sweep.map((d) => path.resolve(d)));
  if (journal) {
    const abs = (rel: string) => path.resolve(base, rel);
    for (const t of journal.targets) {
      parents.add(path.dirname(abs(t.dir)));
    }
    if (journal.state === 'committed') {
      for (const t of journal.targets) {
        const [dir, next, prev] = [abs(t.dir), abs(t.next), abs(t.prev)];
        if (fs.existsSync(next)) {
          if (fs.existsSync(dir)) {
            if (fs.existsSync(prev)) {
              // only possible when a user recreated the folder by hand: the synth's output wins, theirs is kept aside
              fs.rmSync(prev, { recursive: true, force: true });
            }
            fs.renameSync(dir, prev);
          }
          fs.renameSync(next, dir);
        }
      }
      for (const t of journal.targets) {
        fs.rmSync(abs(t.prev), { recursive: true, force: true });
      }
      action = 'rolled-forward';
      messages.push(`recovered: an interrupted synth had completed its output; swapped it in (${journal.targets.map((t) => t.dir).join(', ')})`);
    } else {
      for (const t of journal.targets) {
        fs.rmSync(abs(t.next), { recursive: true, force: true });
      }
      action = 'rolled-back';
      messages.push('recovered: an interrupted synth had not completed its output; removed it, the previous output is unchanged');
    }
    fs.rmSync(path.join(stateDir, JOURNAL_FILE), { force: true });
  }
  // what dead runs left behind (no journal names them any more)
  for (const parent of [...parents].sort()) {
    if (!fs.existsSync(parent)) {
      continue;
    }
    for (const name of fs.readdirSync(parent).sort()) {
      const match = SIBLING.exec(name) ?? LEGACY_SIBLING.exec(name);
      if (!match) {
        continue;
      }
      const full = path.join(parent, name);
      const target = path.join(parent, match[1]);
      if (match[2] === 'old' && !fs.existsSync(target)) {
        // the first writer was killed between its two renames: its .old copy is the complete previous output
        fs.renameSync(full, target);
        messages.push(`recovered: restored ${path.relative(base, target) || target} from a copy an interrupted synth left`);
        continue;
      }
      const legacyPid = Number(match[3]);
      if ((match[2] === 'tmp' || match[2] === 'old') && legacyPid !== process.pid && isAlive(legacyPid)) {
        continue; // a writer of the first version, which took no lock, still running
      }
      fs.rmSync(full, { recursive: true, force: true });
      messages.push(`removed ${path.relative(base, full)}, left by an interrupted synth`);
    }
  }
  for (const leftover of fs.existsSync(stateDir) ? fs.readdirSync(stateDir) : []) {
    if (/\.tmp-\d+$/.test(leftover)) {
      fs.rmSync(path.join(stateDir, leftover), { force: true });
    }
  }
  return { messages, action };
}

/**
 * Writes every target into a new sibling folder, runs the gate, then swaps all targets in, crash-safe (see the
 * protocol at the top of this file). A refused or failed synth removes what it wrote and leaves every target as it
 * was; a killed one is finished or undone by the next synth of the same state folder.
 */
export function writeAtomically(targets: readonly OutputTarget[], options: WriteAtomicallyOptions = {}): RecoveryResult {
  const stateDir = options.stateDir ?? defaultStateDir(targets);
  const step = options.onStep ?? (() => undefined);
  const base = path.dirname(path.resolve(stateDir));
  const rel = (p: string) => path.relative(base, path.resolve(p)).split(path.sep).join('/');
  acquireLock(stateDir);
  step('locked');
  try {
    const recovered = recoverLocked(stateDir, targets.map((t) => path.dirname(path.resolve(t.dir))));
    step('recovered');
    const txn = newTxn();
    const entries = targets.map((t) => ({ target: t, next: sibling(path.resolve(t.dir), 'next', txn), prev: sibling(path.resolve(t.dir), 'prev', txn) }));
    const journal: Journal = { state: 'writing', txn, targets: entries.map((e) => ({ dir: rel(e.target.dir), next: rel(e.next), prev: rel(e.prev) })) };
    writeJournal(stateDir, journal);
    step('journal-writing');
    const written = new Map<string, string>();
    // parent folders this synth creates (e.g. `dist/` on a first synth): a refused synth removes them again
    const createdParents: string[] = [];
    try {
      for (const e of entries) {
        for (let dir = path.dirname(e.next); !fs.existsSync(dir); dir = path.dirname(dir)) {
          createdParents.push(dir);
        }
        fs.mkdirSync(e.next, { recursive: true });
        written.set(e.target.dir, e.next);
        e.target.write(e.next);
        step('written', e.target.dir);
      }
      options.gate?.(written);
      step('gated');
    } catch (err) {
      for (const e of entries) {
        fs.rmSync(e.next, { recursive: true, force: true });
      }
      for (const dir of [...new Set(createdParents)].sort((a, b) => b.length - a.length)) {
        try {
          fs.rmdirSync(dir);
        } catch {
          // not empty: someone else's files
        }
      }
      fs.rmSync(path.join(stateDir, JOURNAL_FILE), { force: true });
      throw err;
    }
    writeJournal(stateDir, { ...journal, state: 'committed' });
    step('journal-committed');
    for (const e of entries) {
      const dir = path.resolve(e.target.dir);
      if (fs.existsSync(dir)) {
        fs.renameSync(dir, e.prev);
      }
      step('moved-aside', e.target.dir);
      fs.renameSync(e.next, dir);
      step('swapped', e.target.dir);
    }
    for (const e of entries) {
      fs.rmSync(e.prev, { recursive: true, force: true });
    }
    step('prev-removed');
    fs.rmSync(path.join(stateDir, JOURNAL_FILE), { force: true });
    step('journal-removed');
    return recovered;
  } finally {
    releaseLock(stateDir);
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
