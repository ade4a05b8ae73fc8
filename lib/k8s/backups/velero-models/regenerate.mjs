// Regenerates this folder from Velero's CRDs: `node lib/k8s/backups/velero-models/regenerate.mjs [crd folder]`
// (default ./crds, a copy of Velero v1.18.1's CRDs). Runs `crd-generate` (@kubernetes-models/crd-generate), then adds
// the `.js` extension to relative imports, which this ESM folder (package.json "type": "module") needs under
// TypeScript's node16 resolution. Never edit the generated files by hand.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');
const crds = resolve(root, process.argv[2] ?? 'lib/k8s/backups/velero-models/crds');
const inputs = readdirSync(crds).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(crds, f));
for (const entry of readdirSync(here)) {
  if (!['package.json', 'README.md', 'regenerate.mjs'].includes(entry)) {
    rmSync(join(here, entry), { recursive: true });
  }
}
execFileSync('npx', ['crd-generate', '--input', ...inputs, '--output', here], { cwd: root, stdio: 'inherit' });
const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
for (const file of walk(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8').replace(/(from "\.{1,2}\/[^"]*?)(\.js)?"/g, '$1.js"');
  writeFileSync(file, text);
}
