#!/usr/bin/env node
/**
 * `npm run bench`: wall time and peak memory of the synth, measured in fresh processes on this machine, side by
 * side with `node -e 0` (the floor of any node process) and `npx cdktf synth`. Numbers only: nothing here
 * asserts a time. Method and results: docs/PERFORMANCE.md.
 *
 *   node scripts/bench.js [--runs N] [--skip-cdktf] [--sizes 50,200,400]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureBuilt, root } = require('./build-lib');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(option('--runs', '7'));
const SIZES = option('--sizes', '50,200,400').split(',').map(Number);
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Runs a command once; returns wall seconds and peak RSS in MiB (when /usr/bin/time is there). */
function measure(command, commandArgs, options = {}) {
  const rssFile = path.join(os.tmpdir(), `epc-bench-rss-${process.pid}`);
  const [cmd, argv] = TIME ? [TIME, ['-f', '%M', '-o', rssFile, command, ...commandArgs]] : [command, commandArgs];
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', CHECKPOINT_DISABLE: '1', ...options.env } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const rss = TIME ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
  return { wall, rss };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall and highest RSS over `runs` runs, after one warm-up run; `before(i)` runs before each. */
function series(runs, command, commandArgs, options = {}) {
  options.before?.(-1);
  measure(command, commandArgs, options);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    options.before?.(i);
    samples.push(measure(command, commandArgs, options));
  }
  return { wall: median(samples.map((s) => s.wall)), rss: Math.max(...samples.map((s) => s.rss)), runs };
}

const rows = [];
const row = (name, s, note = '') => {
  rows.push({ name, ...s, note });
  process.stdout.write(`| ${name} | ${s.wall.toFixed(3)} s | ${Number.isNaN(s.rss) ? 'n/a' : `${s.rss.toFixed(0)} MiB`} | ${note} |\n`);
};

ensureBuilt();
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'epc-bench-'));
process.stdout.write(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}; median of ${RUNS} fresh processes after one warm-up\n\n`);
process.stdout.write('| what | median wall | peak RSS | note |\n| --- | --- | --- | --- |\n');

const floor = series(RUNS, process.execPath, ['-e', '0']);
row('`node -e 0`', floor);

// the shop reference alone (what the speed targets are stated for): the command `npm run synth` runs first
const SHOP = [path.join(root, 'scripts', 'eks-platform.js'), 'synth', 'apps/platform.ts', '--outdir', out];
const synth = series(RUNS, process.execPath, SHOP);
row('`eks-platform synth apps/platform.ts` (the shop reference, 3 environments, both worlds, gate; no source changed)', synth, `${(synth.wall / floor.wall).toFixed(1)}x \`node -e 0\``);
const both = series(RUNS, NPM, ['run', '-s', 'synth', '--', '--outdir', out]);
row('`npm run synth` (both reference platforms: the shop, then the ERP with 2 environments and its data stores)', both, `${(both.wall / floor.wall).toFixed(1)}x \`node -e 0\``);

// an edit of apps/platform.ts: a new comment each run, so the transpiled module is not in the cache
const platformFile = path.join(root, 'apps', 'platform.ts');
const original = fs.readFileSync(platformFile, 'utf8');
const restore = () => fs.writeFileSync(platformFile, original);
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});
try {
  const edited = series(RUNS, process.execPath, SHOP, {
    before: (i) => fs.writeFileSync(platformFile, `${original}// bench edit ${process.pid}-${i}-${process.hrtime.bigint()}\n`),
  });
  row('`eks-platform synth apps/platform.ts` after an edit of apps/platform.ts', edited, 'transpiles the module again');
} finally {
  restore();
}

if (!args.includes('--skip-cdktf')) {
  const tfOnly = series(Math.min(RUNS, 3), process.execPath, [...SHOP, '--only', 'terraform']);
  row('`eks-platform synth apps/platform.ts --only terraform`', tfOnly);
  const cdktfOut = fs.mkdtempSync(path.join(os.tmpdir(), 'epc-bench-cdktf-'));
  const cdktf = series(Math.min(RUNS, 3), NPX, ['cdktf', 'synth', '--output', cdktfOut]);
  row('`npx cdktf synth` (same platform, Terraform only, through cdktf.json)', cdktf, `${(cdktf.wall / synth.wall).toFixed(1)}x the shop's synth of both worlds`);
}

// generated platforms: the cost per service
const genDir = path.join(root, 'build', 'bench-platforms');
fs.mkdirSync(genDir, { recursive: true });
const cli = path.join(root, 'build', 'lib', 'cli.js');
const scale = [];
for (const n of SIZES) {
  const file = path.join(genDir, `generated-${n}.js`);
  fs.writeFileSync(file, generatedPlatform(n));
  const s = series(Math.min(RUNS, 3), process.execPath, [cli, 'synth', file, '--outdir', fs.mkdtempSync(path.join(os.tmpdir(), `epc-bench-${n}-`))]);
  scale.push({ n, wall: s.wall });
  row(`generated platform, ${n} services, 3 environments, both worlds`, s, `${((s.wall * 1000) / n).toFixed(1)} ms per service; ${(s.wall / floor.wall).toFixed(1)}x \`node -e 0\` (target for 200: at most 25x)`);
}
if (scale.length >= 2) {
  const [a, b] = [scale[0], scale[scale.length - 1]];
  process.stdout.write(`\nmarginal cost ${(((b.wall - a.wall) * 1000) / (b.n - a.n)).toFixed(1)} ms per service from ${a.n} to ${b.n} services\n`);
}
fs.rmSync(out, { recursive: true, force: true });

/** A platform module of `n` services in namespaces of 25, each calling up to three others, in three environments. */
function generatedPlatform(n) {
  return `'use strict';
const { Platform, PortProtocol } = require('eks-platform-constructs/model');
const N = ${n};
const perNamespace = 25;
const services = [];
for (let i = 0; i < N; i++) {
  const ns = 'team-' + Math.floor(i / perNamespace);
  const calls = [];
  for (const d of [1, 7, 31]) {
    const j = i + d;
    if (j < N) calls.push('team-' + Math.floor(j / perNamespace) + '/svc-' + j);
  }
  services.push({
    name: 'svc-' + i, namespace: ns, partOf: 'generated',
    versions: [{ name: 'v1', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/gen/svc-' + i + ':1.0.' + i }],
    ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
    calls,
    awsPermissions: i % 10 === 0 ? [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::gen-data/svc-' + i + '/*'] }] : undefined,
  });
}
const quota = { requestsCpuMillis: 400000, requestsMemoryMiB: 800000, limitsCpuMillis: 1200000, limitsMemoryMiB: 1600000, pods: 1000 };
const environment = (name, account, cidr) => ({
  name, accountId: account, region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], vpcCidr: cidr,
  kubernetesVersion: '1.35', nodeGroups: [{ name: 'general', instanceTypes: ['m6i.2xlarge'], minSize: 3, maxSize: 60, desiredSize: 3 }],
  backup: { retentionDays: 35 }, kubernetes: { minReplicas: 2, maxReplicas: 3, namespaceQuota: quota },
});
exports.platform = new Platform({ name: 'gen', registry: { accountId: '123456789012', region: 'eu-west-1' }, services, environments: [
  environment('dev', '111111111111', '10.60.0.0/16'), environment('qa', '222222222222', '10.61.0.0/16'), environment('prod', '333333333333', '10.62.0.0/16'),
] });
`;
}
