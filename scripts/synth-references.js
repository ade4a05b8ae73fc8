#!/usr/bin/env node
/**
 * `npm run synth [-- args]`: the `eks-platform synth` command (build/lib/cli.js, compiled first when stale) on both
 * reference platforms, one after the other, with the same arguments: the shop (apps/platform.ts) into the output
 * folder (`--outdir`, default the repository), the ERP (apps/erp.ts) into `<outdir>/platforms/erp`. Stops at the
 * first refusal, with its exit code. `npm run synth -- prod` synthesizes `prod` of both; `-- --only terraform` one world.
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
  for (const ref of REFERENCES) {
    const code = await runCommand(['synth', ref.module, ...rest, '--outdir', path.join(base, ref.outdir)], {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
    });
    if (code !== 0) {
      return code;
    }
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
