/**
 * examples/gitlab-ci: the pipeline a team copies. Its .gitlab-ci.yml is parsed as YAML and every command it runs is
 * checked against what exists: `eks-platform` invocations are parsed by the command's own parser, `cdktf` ones
 * against the CDK for Terraform CLI's help, `npm` ones against the example project's package.json scripts; the
 * example's platform synthesizes through the gate.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseCommandLine } from '../../lib/cli';
import { synthesize } from '../../lib/app/synthesize';
import { GITOPS_FILE } from '../../lib/app/kubernetes-app';
import { platform as example } from '../../examples/gitlab-ci/platform';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'gitlab-ci');
const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const project = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
type Job = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pipeline = parse(fs.readFileSync(path.join(EXAMPLE, '.gitlab-ci.yml'), 'utf8')) as Record<string, Job>;
const KEYWORDS = new Set(['workflow', 'stages', 'variables', 'default', 'include', 'image', 'cache', 'before_script', 'after_script', 'services']);
const jobs = Object.entries(pipeline).filter(([name]) => !KEYWORDS.has(name));
const visibleJobs = jobs.filter(([name]) => !name.startsWith('.'));

/** A job's own keys over those of the jobs it extends, as GitLab merges them (hash keys deep, other values replaced). */
function resolved(name: string): Job {
  const job = pipeline[name];
  const bases = ([] as string[]).concat(job.extends ?? []).map(resolved);
  const merge = (a: Job, b: Job): Job => {
    const out: Job = { ...a };
    for (const [k, v] of Object.entries(b)) {
      out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && !Array.isArray(out[k]) ? merge(out[k], v) : v;
    }
    return out;
  };
  const { extends: _ignored, ...own } = job;
  return [...bases, own].reduce(merge, {});
}

/** Every shell line a job runs: its before_script (or the default one) and its script. */
function linesOf(name: string): string[] {
  const job = resolved(name);
  return [...(job.before_script ?? pipeline.default?.before_script ?? []), ...(job.script ?? [])];
}

/** A shell line cut into simple commands at `&&`, `||`, `;` and `|` outside quotes, each as its words. */
function commandsOf(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let quote: string | undefined;
  const endWord = () => { if (word !== '') words.push(word); word = ''; };
  const endCommand = () => { endWord(); if (words.length > 0) commands.push(words); words = []; };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined; else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ' ') {
      endWord();
    } else if ((c === '&' && line[i + 1] === '&') || (c === '|' && line[i + 1] === '|')) {
      endCommand(); i++;
    } else if (c === ';' || c === '|') {
      endCommand();
    } else if (c === '>') {
      // a redirection: the file name is not an argument
      endWord(); while (line[i + 1] === ' ') i++; while (i + 1 < line.length && line[i + 1] !== ' ') i++;
    } else {
      word += c;
    }
  }
  endCommand();
  return commands;
}

/** What the variables of the pipeline stand for when a command is checked. */
const SAMPLE: Record<string, string> = { ENVIRONMENT: 'prod', SERVICE: 'checkout', VERSION: 'green', TERRAFORM_VERSION: '1.13.4' };
const expand = (w: string) => w.replace(/\$\{?([A-Z_]+)\}?/g, (m, v: string) => SAMPLE[v] ?? m);

const SYSTEM_COMMANDS = new Set(['apt-get', 'curl', 'unzip', 'echo', 'export', 'git', 'terraform', 'tee', 'exit', 'true']);

const cdktfHelp = new Map<string, string>();
function cdktfOptions(sub: string): string {
  if (!cdktfHelp.has(sub)) {
    const cli = path.join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
    const r = spawnSync(process.execPath, [cli, sub, '--help'], { cwd: EXAMPLE, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', NODE_OPTIONS: '' } });
    cdktfHelp.set(sub, r.stdout);
  }
  return cdktfHelp.get(sub)!;
}

/** Why a command of the pipeline would not run as written, or undefined when it would. */
function problemOf(words: readonly string[]): string | undefined {
  // leading assignments (`status=$?`) set shell variables; a command of assignments only runs nothing
  const command = words.slice(words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) >>> 0);
  if (command.length === 0 || words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) {
    return undefined;
  }
  const [first, ...args] = command.map(expand);
  if (first === 'npx') {
    const [bin, ...rest] = args;
    if (bin === 'eks-platform') {
      if (!(bin in ours.bin)) return `the package has no bin ${bin}`;
      try {
        const parsed = parseCommandLine(rest);
        return parsed === 'help' ? 'prints the help only' : undefined;
      } catch (e) {
        return `eks-platform ${rest.join(' ')}: ${(e as Error).message}`;
      }
    }
    if (bin === 'cdktf') {
      if (project.devDependencies['cdktf-cli'] === undefined) return 'cdktf-cli is not a dependency of the project';
      const [sub, ...options] = rest;
      const help = cdktfOptions(sub);
      if (!help.includes(`cdktf ${sub === 'plan' ? 'diff' : sub}`)) return `cdktf has no command ${sub}`;
      const unknown = options.filter((o) => o.startsWith('--') && !help.includes(o));
      return unknown.length > 0 ? `cdktf ${sub} has no option ${unknown.join(', ')}` : undefined;
    }
    return `npx ${bin}: neither this package's bin nor the CDK for Terraform CLI`;
  }
  if (first === 'npm') {
    const [sub, name] = args;
    if (sub === 'ci') return undefined;
    if (sub === 'test') return project.scripts.test === undefined ? 'the project has no test script' : undefined;
    if (sub === 'run') return project.scripts[name] === undefined ? `the project has no script ${name}` : undefined;
    return `npm ${sub} is not used by this pipeline's checks`;
  }
  return SYSTEM_COMMANDS.has(first) ? undefined : `${first} is not a command this pipeline expects on its image`;
}

describe('examples/gitlab-ci/.gitlab-ci.yml', () => {
  test('every job has a stage of the pipeline, needs jobs that exist and extends templates that exist', () => {
    const stages = pipeline.stages as unknown as string[];
    expect(stages).toEqual(['test', 'synth', 'check', 'plan', 'deploy', 'release']);
    for (const [name] of visibleJobs) {
      const job = resolved(name);
      expect([name, stages.includes(job.stage)]).toEqual([name, true]);
      for (const need of job.needs ?? []) {
        expect([name, need, pipeline[need] !== undefined && !need.startsWith('.')]).toEqual([name, need, true]);
      }
    }
    for (const [name, job] of jobs) {
      for (const base of [].concat(job.extends ?? [])) {
        expect([name, base, pipeline[base] !== undefined]).toEqual([name, base, true]);
      }
    }
  });

  test('every command it runs exists: the package\'s bin with options its parser accepts, the CDK for Terraform CLI\'s, or the project\'s npm scripts', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [name] of visibleJobs) {
      for (const line of linesOf(name)) {
        for (const words of commandsOf(line)) {
          checked += 1;
          const problem = problemOf(words);
          if (problem) problems.push(`${name}: ${words.join(' ')}: ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(30);
    // the project's own scripts call the package's command as it exists
    expect(project.scripts.synth.startsWith('eks-platform ')).toBe(true);
    expect(problemOf(['npx', ...project.scripts.synth.split(' ')])).toBeUndefined();
  });

  test('fails when a command does not exist (the check can fail)', () => {
    expect(problemOf(['npx', 'eks-platform', 'synth', 'platform.ts', '--chek'])).toContain('unknown option --chek');
    expect(problemOf(['npx', 'eks-platform', 'check', 'dist/', '--format', 'junit'])).toContain('--format');
    expect(problemOf(['npm', 'run', 'deploy'])).toContain('no script deploy');
    expect(problemOf(['npx', 'cdktf', 'deploy', 'prod', '--yes'])).toContain('no option --yes');
    expect(problemOf(['kubectl', 'apply', '-f', 'dist/'])).toContain('kubectl');
  });

  test('runs the synth with its gate, the drift check, and the policy report as Code Quality and SARIF', () => {
    expect(linesOf('synth')).toContain('npx eks-platform synth platform.ts');
    expect(linesOf('drift').join('\n')).toContain('eks-platform synth platform.ts --check');
    const policy = resolved('policy');
    expect(policy.script.join('\n')).toContain('--format codequality > gl-code-quality-report.json');
    expect(policy.script.join('\n')).toContain('--format sarif > eks-platform.sarif');
    expect(policy.artifacts.reports.codequality).toBe('gl-code-quality-report.json');
    expect(policy.artifacts.when).toBe('always');
  });

  test('plans every environment of the platform as an artifact, applies dev and staging on main, and prod only by hand', () => {
    const environments = example.environments.map((e) => e.name);
    const plan = resolved('plan');
    expect(plan.parallel.matrix[0].ENVIRONMENT).toEqual(environments);
    expect(plan.script.join('\n')).toContain('cdktf plan "$ENVIRONMENT" --skip-synth');
    expect(plan.artifacts.paths).toEqual(['plan-$ENVIRONMENT.txt']);
    const deploy = resolved('deploy');
    expect(deploy.parallel.matrix[0].ENVIRONMENT).toEqual(environments.filter((e) => e !== 'prod'));
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
    const prod = resolved('deploy-prod');
    expect(prod.variables.ENVIRONMENT).toBe('prod');
    expect(prod.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(prod.allow_failure).toBe(false);
    expect(prod.script).toEqual(['npx cdktf deploy "$ENVIRONMENT" --skip-synth --auto-approve']);
    // every job that touches AWS takes an OIDC token, never a stored key
    for (const name of ['plan', 'deploy', 'deploy-prod']) {
      expect(resolved(name).id_tokens.AWS_ID_TOKEN.aud).toBe('sts.amazonaws.com');
    }
    expect(JSON.stringify(pipeline)).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  });

  test('switches a blue-green service in a separate manual job that commits the model and the synthesized output', () => {
    const job = resolved('switch-release');
    expect(job.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(job.needs).toEqual([]);
    expect(job.script[0]).toBe('npm run switch -- "$SERVICE" "$VERSION"');
    expect(job.script.join('\n')).toContain('git add releases.json dist');
  });
});

describe('the example project', () => {
  test('synthesizes through the gate, with a root Application per environment and prod synced by hand', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-example-'));
    const result = synthesize(example, { outdir: out, only: 'kubernetes' });
    expect(result.environments).toEqual(['dev', 'staging', 'prod']);
    const prod = fs.readFileSync(path.join(out, 'dist', 'prod', GITOPS_FILE), 'utf8');
    expect(prod).toContain('path: dist/prod');
    expect(prod).not.toContain('automated');
    expect(fs.readFileSync(path.join(out, 'dist', 'dev', GITOPS_FILE), 'utf8')).toContain('selfHeal: true');
  });

  test('switch-release.mjs makes the other colour active, and fails when the service or version is not given right', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-switch-'));
    for (const f of ['switch-release.mjs', 'releases.json']) fs.copyFileSync(path.join(EXAMPLE, f), path.join(dir, f));
    const run = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'switch-release.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const before = JSON.parse(fs.readFileSync(path.join(dir, 'releases.json'), 'utf8')) as Record<string, string>;
    const other = before.checkout === 'blue' ? 'green' : 'blue';
    expect(run('checkout', other).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'releases.json'), 'utf8'))).toEqual({ ...before, checkout: other });
    expect(run('checkout', other).status).toBe(1);
    expect(run('cart', 'green').status).toBe(2);
    expect(run().status).toBe(2);
  });
});
