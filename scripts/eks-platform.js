#!/usr/bin/env node
/**
 * Runs this repository's own `eks-platform` command (build/lib/cli.js, what the npm package's bin runs), compiling
 * the library first when one of its sources changed (scripts/build-lib.js). `npm run synth` is
 * `node scripts/eks-platform.js synth apps/platform.ts`; a fresh clone compiles once.
 */
'use strict';
const path = require('node:path');
const { ensureBuilt, root } = require('./build-lib');

ensureBuilt();
require(path.join(root, 'build', 'lib', 'cli.js'))
  .runCommand(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) })
  .then((code) => { process.exitCode = code; });
