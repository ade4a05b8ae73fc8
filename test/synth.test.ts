import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFiles, writeAtomically } from '../lib/synth';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

describe('writeAtomically', () => {
  test('replaces every target when all writers and the gate succeed', () => {
    const root = scratch();
    const a = path.join(root, 'dist', 'dev');
    const b = path.join(root, 'cdktf.out');
    fs.mkdirSync(a, { recursive: true });
    fs.writeFileSync(path.join(a, 'stale.yaml'), 'old');
    writeAtomically([
      { dir: a, write: (tmp) => fs.writeFileSync(path.join(tmp, 'new.yaml'), 'a') },
      { dir: b, write: (tmp) => fs.mkdirSync(path.join(tmp, 'stacks', 'dev'), { recursive: true }) },
    ]);
    expect(listFiles(a)).toEqual(['new.yaml']);
    expect(fs.existsSync(path.join(b, 'stacks', 'dev'))).toBe(true);
    expect(fs.readdirSync(path.join(root, 'dist'))).toEqual(['dev']);
  });

  test('fails when a writer throws, and leaves the previous output and no temporary folder', () => {
    const root = scratch();
    const a = path.join(root, 'dist', 'prod');
    fs.mkdirSync(a, { recursive: true });
    fs.writeFileSync(path.join(a, 'kept.yaml'), 'previous');
    expect(() =>
      writeAtomically([
        { dir: a, write: (tmp) => fs.writeFileSync(path.join(tmp, 'half.yaml'), 'x') },
        { dir: path.join(root, 'other'), write: () => { throw new Error('boom'); } },
      ]),
    ).toThrow('boom');
    expect(listFiles(a)).toEqual(['kept.yaml']);
    expect(fs.readFileSync(path.join(a, 'kept.yaml'), 'utf8')).toBe('previous');
    expect(fs.readdirSync(path.join(root, 'dist'))).toEqual(['prod']);
    expect(fs.existsSync(path.join(root, 'other'))).toBe(false);
  });

  test('fails when the gate refuses the output, and leaves the previous output', () => {
    const root = scratch();
    const a = path.join(root, 'out');
    fs.mkdirSync(a);
    fs.writeFileSync(path.join(a, 'kept.json'), '{}');
    let seen: string[] = [];
    expect(() =>
      writeAtomically([{ dir: a, write: (tmp) => fs.writeFileSync(path.join(tmp, 'bad.json'), '{') }], {
        gate: (written) => {
          seen = listFiles(written.get(a)!);
          throw new Error('gate: bad.json is not JSON');
        },
      }),
    ).toThrow('gate: bad.json is not JSON');
    expect(seen).toEqual(['bad.json']);
    expect(listFiles(a)).toEqual(['kept.json']);
    expect(fs.readdirSync(root)).toEqual(['out']);
  });
});
