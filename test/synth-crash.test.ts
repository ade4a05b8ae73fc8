/**
 * Crash safety of the writer: a synth of three folders is killed with SIGKILL at every step of the protocol
 * (and halfway through writing each folder); afterwards nothing is lost, and the next run (a recovery, or a synth
 * that is itself refused) leaves every folder of one synth, complete, and nothing of dead runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFiles, recoverOutput } from '../lib/synth';

const WRITER = path.join(__dirname, 'fixtures', 'crash-writer.js');
const TARGETS = ['cdktf.out', 'dist/dev', 'dist/prod'];
const FILES: Record<string, string[]> = {
  'cdktf.out': ['manifest.json', 'stacks/dev/cdk.tf.json', 'stacks/prod/cdk.tf.json'],
  'dist/dev': ['a.k8s.yaml', 'b.k8s.yaml'],
  'dist/prod': ['a.k8s.yaml', 'b.k8s.yaml'],
};

function writer(root: string, version: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [WRITER], { env: { ...process.env, ROOT: root, VERSION: version, ...env }, encoding: 'utf8' });
}

/** The version every target holds, complete; fails when folders disagree, a file is missing or extra. */
function versionOf(root: string): string {
  const versions = new Set<string>();
  for (const target of TARGETS) {
    const dir = path.join(root, target);
    expect(listFiles(dir)).toEqual([...FILES[target]].sort());
    for (const file of FILES[target]) {
      versions.add(fs.readFileSync(path.join(dir, file), 'utf8').trim());
    }
  }
  expect(versions.size).toBe(1);
  return [...versions][0];
}

/** Everything in the output folder that is not a target: siblings of dead runs, the lock, the journal. */
function leftovers(root: string): string[] {
  return [...fs.readdirSync(root).map((n) => n), ...fs.readdirSync(path.join(root, 'dist')).map((n) => `dist/${n}`)]
    .filter((n) => !['cdktf.out', 'dist', 'dist/dev', 'dist/prod'].includes(n))
    .sort();
}

const steps = writer(fs.mkdtempSync(path.join(os.tmpdir(), 'crash-')), 'A', { PRINT_STEPS: '1' }).stdout.trim().split('\n');
const COMMITTED = steps.indexOf('journal-committed') + 1;

describe('writeAtomically under kill -9', () => {
  test('the writer reports the steps the crash test kills at', () => {
    expect(steps).toEqual([
      'locked', 'recovered', 'journal-writing', 'written cdktf.out', 'written dist/dev', 'written dist/prod', 'gated',
      'journal-committed', 'moved-aside cdktf.out', 'swapped cdktf.out', 'moved-aside dist/dev', 'swapped dist/dev',
      'moved-aside dist/prod', 'swapped dist/prod', 'prev-removed', 'journal-removed',
    ]);
  });

  const kills = [...steps.map((step, i) => ({ at: String(i + 1), step, expected: i + 1 >= COMMITTED ? 'B' : 'A' })),
    ...[0, 1, 2].map((i) => ({ at: `mid-write:${i}`, step: `halfway through writing ${TARGETS[i]}`, expected: 'A' }))];

  test.each(kills)('killed after step $at ($step): nothing lost, the next synth restores synth $expected even when refused', ({ at, expected }) => {
    for (const next of ['recovery', 'refused synth', 'synth'] as const) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
      expect(writer(root, 'A').status).toBe(0);
      const killed = writer(root, 'B', { KILL_AT: at });
      expect(killed.signal).toBe('SIGKILL');
      // nothing lost at the instant of the kill: synth A is complete in place or in the copy the journal names
      const journalFile = path.join(root, '.eks-platform', 'journal.json');
      if (fs.existsSync(journalFile)) {
        const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { state: string; targets: { dir: string; next: string; prev: string }[] };
        expect(journal.targets.map((t) => t.dir)).toEqual(TARGETS);
        for (const t of journal.targets) {
          expect(path.isAbsolute(t.next)).toBe(false);
          const holder = [t.dir, t.prev, t.next].find((d) => fs.existsSync(path.join(root, d)) && fs.readFileSync(path.join(root, d, FILES[t.dir][0]), 'utf8').trim() === 'A');
          const hasB = [t.dir, t.next].some((d) => fs.existsSync(path.join(root, d)) && fs.readFileSync(path.join(root, d, FILES[t.dir][0]), 'utf8').trim() === 'B');
          expect(holder !== undefined || (journal.state === 'committed' && hasB)).toBe(true);
        }
      } else {
        expect(['A', 'B']).toContain(versionOf(root));
      }
      if (next === 'recovery') {
        recoverOutput(path.join(root, '.eks-platform'), [root, path.join(root, 'dist')]);
        expect(versionOf(root)).toBe(expected);
      } else if (next === 'refused synth') {
        const refused = writer(root, 'C', { REFUSE: '1' });
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toContain('refused');
        expect(versionOf(root)).toBe(expected);
      } else {
        expect(writer(root, 'C').status).toBe(0);
        expect(versionOf(root)).toBe('C');
      }
      expect(leftovers(root)).toEqual([]);
    }
  });

  test('recovery is idempotent: a second run finds nothing to do', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    writer(root, 'A');
    writer(root, 'B', { KILL_AT: String(COMMITTED + 2) });
    const first = recoverOutput(path.join(root, '.eks-platform'), [root, path.join(root, 'dist')]);
    expect(first.action).toBe('rolled-forward');
    expect(first.messages.join('\n')).not.toContain(root);
    const second = recoverOutput(path.join(root, '.eks-platform'), [root, path.join(root, 'dist')]);
    expect(second).toEqual({ messages: [], action: 'none' });
    expect(versionOf(root)).toBe('B');
  });

  test('fails when another live synth holds the lock, and changes nothing', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    writer(root, 'A');
    fs.mkdirSync(path.join(root, '.eks-platform'));
    fs.writeFileSync(path.join(root, '.eks-platform', 'lock'), `${process.ppid}\n`);
    const blocked = writer(root, 'B');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain(`another synth (pid ${process.ppid}) is writing this output`);
    expect(versionOf(root)).toBe('A');
  });

  test('a lock whose process is gone is taken over', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    writer(root, 'A');
    writer(root, 'B', { KILL_AT: '1' });
    expect(fs.readFileSync(path.join(root, '.eks-platform', 'lock'), 'utf8')).toMatch(/^\d+\n$/);
    expect(writer(root, 'C').status).toBe(0);
    expect(versionOf(root)).toBe('C');
    expect(leftovers(root)).toEqual([]);
  });

  test('the first writer\'s leftovers are swept, and a folder it left missing comes back from its .old copy', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    writer(root, 'A');
    fs.renameSync(path.join(root, 'dist', 'prod'), path.join(root, 'dist', '.prod.old-999999'));
    fs.mkdirSync(path.join(root, 'dist', '.dev.tmp-999999'));
    const result = recoverOutput(path.join(root, '.eks-platform'), [root, path.join(root, 'dist')]);
    expect(result.messages).toEqual(['removed dist/.dev.tmp-999999, left by an interrupted synth', 'recovered: restored dist/prod from a copy an interrupted synth left']);
    expect(versionOf(root)).toBe('A');
    expect(leftovers(root)).toEqual([]);
  });
});
