/**
 * Compiles the library (tsc -p tsconfig.json, incremental) when one of its sources (lib/, tsconfig.json,
 * package.json) is newer than the last build. Used by scripts/eks-platform.js and the tests' global setup.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const stamp = path.join(root, 'build', '.lib-stamp');

function newestSource() {
  let newest = Math.max(fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs, fs.statSync(path.join(root, 'package.json')).mtimeMs);
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(p);
      } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    }
  };
  walk(path.join(root, 'lib'));
  return newest;
}

/** Builds the library unless build/ is newer than every source; returns whether it compiled. */
function ensureBuilt() {
  if (fs.existsSync(stamp) && newestSource() <= fs.statSync(stamp).mtimeMs) {
    return false;
  }
  process.stderr.write('eks-platform: compiling the library (lib/ changed since the last build)\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  fs.writeFileSync(stamp, '');
  return true;
}

module.exports = { ensureBuilt, root };
