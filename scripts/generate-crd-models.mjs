// Regenerates a folder of typed models from the CRDs copied beside them:
//   node scripts/generate-crd-models.mjs <models folder> <API group> [CRD folder]
// (`npm run generate:velero`, `npm run generate:cnpg`; the CRD folder defaults to `<models folder>/crds`). Runs
// `crd-generate` (@kubernetes-models/crd-generate), then keeps the interfaces only: the library imports nothing else
// (the tests validate against the CRDs' schemas with ajv), so the model classes and their generated validators
// (`_schemas/`) are removed rather than shipped unused. Relative imports get the `.js` extension the ESM folder
// (package.json "type": "module") needs under TypeScript's node16 resolution. The generated files are never edited
// by hand; `crds/`, `package.json` and `README.md` of the folder are kept.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [folder, group, crdFolder] = process.argv.slice(2);
if (folder === undefined || group === undefined) {
  process.stderr.write('usage: node scripts/generate-crd-models.mjs <models folder> <API group> [CRD folder]\n');
  process.exit(2);
}
const here = resolve(root, folder);
const crds = resolve(root, crdFolder ?? join(folder, 'crds'));
const inputs = readdirSync(crds).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(crds, f));
for (const entry of readdirSync(here)) {
  if (!['package.json', 'README.md', 'crds'].includes(entry)) {
    rmSync(join(here, entry), { recursive: true });
  }
}
execFileSync('npx', ['crd-generate', '--input', ...inputs, '--output', here], { cwd: root, stdio: 'inherit' });
const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
for (const file of walk(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8').replace(/(from "\.{1,2}\/[^"]*?)(\.js)?"/g, '$1.js"');
  writeFileSync(file, text);
}
// interfaces only: drop each model class (and the doc comment above it) and every import but the types the interface uses
for (const file of walk(join(here, group)).filter((f) => f.endsWith('.ts') && !f.endsWith('index.ts'))) {
  const text = readFileSync(file, 'utf8');
  const cls = text.indexOf('export class ');
  const doc = text.lastIndexOf('/**', cls);
  const body = text.slice(0, doc > text.lastIndexOf('}', cls) ? doc : cls).trimEnd();
  const lines = body.split('\n').filter((l) => !l.startsWith('import ') || l.includes('IObjectMeta'));
  writeFileSync(file, `${lines.join('\n').replace(/^import \{ IObjectMeta \}/m, 'import type { IObjectMeta }')}\n`);
}
rmSync(join(here, '_schemas'), { recursive: true, force: true });
