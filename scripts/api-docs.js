#!/usr/bin/env node
/**
 * `npm run docs`: docs/API.md, the API reference, generated from the TSDoc comments by typedoc (typedoc.json, the
 * markdown plugin) into a temporary folder and copied into place. `npm run docs:check` (run by .ci/run) writes
 * nothing and exits 1 when docs/API.md is not what the comments generate now: run `npm run docs` and commit.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const TARGET = path.join(ROOT, 'docs', 'API.md');
const HEADER = '<!-- Generated from the TSDoc comments by `npm run docs` (typedoc); do not edit by hand: CI fails when this file is stale. -->\n\n';

function generate() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
  try {
    const typedoc = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const r = spawnSync(process.execPath, [typedoc, '--out', out, '--logLevel', 'Error'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(r.stdout + r.stderr);
      throw new Error(`typedoc exited ${r.status}`);
    }
    return HEADER + fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function main(args) {
  const text = generate();
  const rel = path.relative(process.cwd(), TARGET) || TARGET;
  if (args.includes('--check')) {
    const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : undefined;
    if (current !== text) {
      process.stderr.write(`${rel} is ${current === undefined ? 'missing' : 'stale'}: the TSDoc comments generate another text. Run \`npm run docs\` and commit ${rel}.\n`);
      return 1;
    }
    process.stdout.write(`${rel} is current\n`);
    return 0;
  }
  fs.writeFileSync(TARGET, text);
  process.stdout.write(`wrote ${rel}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
