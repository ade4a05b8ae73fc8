#!/usr/bin/env node
/**
 * `npm run synth [-- args]`: the `eks-platform synth` command (build/lib/cli.js, compiled first when stale) on both
 * reference platforms, one after the other, with the same arguments: the shop (apps/platform.ts) into the output
 * folder (`--outdir`, default the repository), the ERP (apps/erp.ts) into `<outdir>/platforms/erp`. Stops at the
 * first refusal, with its exit code. `npm run synth -- prod` synthesizes `prod` of both; `-- --only terraform` one world.
 * `npm run synth -- --check` is the drift check of both (writes nothing; exit 1 when either's committed output differs).
 */
'use strict';
const path = require('node:path');
const { ensureBuilt, root } = require('./build-lib');

const REFERENCES = [
  { module: 'apps/platform.ts', outdir: '.' },
  { module: 'apps/erp.ts', outdir: path.join('platforms', 'erp') },
];

async function main(args) {
  const at = args.indexOf('--outdir');
  const base = at >= 0 ? args[at + 1] : '.';
  const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  if (at >= 0 && (base === undefined || base.startsWith('--'))) {
    process.stderr.write('eks-platform: --outdir needs a folder\n');
    return 2;
  }
  ensureBuilt();
  const { runCommand } = require(path.join(root, 'build', 'lib', 'cli.js'));
  // the drift check reports on every platform; a synth stops at the first refusal
  const checkOnly = rest.includes('--check');
  let worst = 0;
  for (const ref of REFERENCES) {
    const code = await runCommand(['synth', ref.module, ...rest, '--outdir', path.join(base, ref.outdir)], {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
    });
    if (code !== 0 && !checkOnly) {
      return code;
    }
    worst = Math.max(worst, code);
  }
  return worst;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
