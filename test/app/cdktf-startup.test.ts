/**
 * The stand-in for cdktf's zip library: nothing loads it until it is called, and then it is the real one.
 * Run in a child process of the compiled library: jest's module registry is not node's.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('cdktf loads without its zip library, and a Terraform asset still gets a working one', () => {
  const script = `
    require('./build/lib/app/_cdktf-startup').deferArchiver();
    require('cdktf');
    // the real module's own files (the stand-in has none)
    const loaded = () => Object.keys(require.cache).some((f) => /node_modules[\\\\/]archiver[\\\\/]lib[\\\\/]core\\.js$/.test(f));
    const before = loaded();
    const archiver = require(require.resolve('archiver', { paths: [require('path').dirname(require.resolve('cdktf'))] }));
    const archive = archiver('zip');
    process.stdout.write(JSON.stringify({ before, after: loaded(), append: typeof archive.append }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true, append: 'function' });
});
