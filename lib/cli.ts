#!/usr/bin/env node
/**
 * The `eks-platform` command.
 *
 *   eks-platform synth <platform-module> [env ...] [--outdir DIR] [--only terraform|kubernetes] [--check]
 *   eks-platform cost <platform-module>
 *   eks-platform check <file-or-folder>... [--format text|json|sarif|codequality] [--suppressions FILE]
 *
 * Exit codes: 0 success; 1 the platform or its output was refused (errors on stderr, nothing changed);
 * 2 usage errors (unknown option, missing file, unknown environment).
 */
import * as path from 'node:path';
import { loadPlatformModule, UsageError } from './app/load-platform';
import { outputFolders, synthesizeModule, type SynthWorld } from './app/synthesize';
import { ValidationError } from './model/validation';
import { recoverOutput } from './synth';

const USAGE = `usage:
  eks-platform synth <platform-module> [env ...] [--outdir DIR] [--only terraform|kubernetes] [--check]
  eks-platform cost <platform-module>
  eks-platform check <file-or-folder>... [--rules GLOBS] [--skip-rules GLOBS] [--format text|json|sarif|codequality]
                     [--suppressions FILE]
  eks-platform check --list-rules
  eks-platform <command> --help

<platform-module> is a .js or .ts file whose default export, or export named platform, is a Platform.
synth writes <outdir>/cdktf.out/stacks/<env>/cdk.tf.json and <outdir>/dist/<env>/ (all environments when
none is named), atomically and only when the gate passed. With --check it writes nothing: it synthesizes into a
temporary folder and exits 1 listing each file of the output folders that differs (drift control for CI).
check runs the gate's rules over Kubernetes YAML (.yaml, .yml) and Terraform JSON (*.tf.json), folders
recursively (see docs/policy.md).
exit codes: 0 done (check: every rule holds); 1 the platform or its output was refused, nothing changed (check: a
rule is broken or a suppression matches nothing); 2 usage error (check: also input it cannot read)`;

/** The help of each command (`eks-platform <command> --help`). */
const COMMAND_HELP: Readonly<Record<'synth' | 'cost' | 'check', string>> = {
  synth: `usage: eks-platform synth <platform-module> [env ...] [--outdir DIR] [--only terraform|kubernetes] [--check]

Synthesizes the platform a module exports (a .ts, .js, .mjs or .cjs file whose default export, or export named
platform, is a Platform): Terraform JSON to <outdir>/cdktf.out/stacks/<env>/cdk.tf.json and Kubernetes YAML to
<outdir>/dist/<env>/, every environment unless some are named, through the gate, atomically.

options:
  env ...        the environments to synthesize (an unknown name exits 2)
  --outdir DIR   the folder that holds cdktf.out/ and dist/ (default: the current folder; CDKTF_OUTDIR and
                 CDK8S_OUTDIR, set by the cdktf and cdk8s CLIs, win)
  --only WORLD   terraform or kubernetes: one world only
  --check        drift control: synthesize into a temporary folder and compare with the output folders, writing
                 nothing; lists each changed, missing or unexpected file

exit codes: 0 written (--check: no drift); 1 the platform or its output was refused, nothing changed (--check: also a
file differs); 2 usage error`,
  cost: `usage: eks-platform cost <platform-module>

Prints the projected monthly storage cost of every environment's backup bucket (docs/backups.md).

exit codes: 0 printed; 1 the platform was refused; 2 usage error`,
  check: `usage: eks-platform check <file-or-folder>... [options]
       eks-platform check --list-rules

Runs the gate's rules over Kubernetes YAML (.yaml, .yml) and Terraform JSON (*.tf.json); folders are read
recursively.

options:
  --rules GLOBS         judge only these rules: comma-separated rule ids or globs with *, e.g.
                        --rules 'baseline/*,restricted/*' (Pod Security only); a pattern that matches no rule is
                        a usage error
  --skip-rules GLOBS    leave these rules out (after --rules), e.g. --skip-rules 'platform/zone-spread'
  --format FORMAT       text (default), json, sarif (SARIF 2.1.0) or codequality (GitLab Code Quality JSON);
                        findings carry the line of their field, or of their object
  --suppressions FILE   accepted findings, each with a reason (YAML or JSON; see docs/policy.md); one that matches
                        no finding of the rules judged is an error
  --list-rules          print every rule id with what it checks

scopes: references between Kubernetes objects (ServiceAccounts, budgets, NetworkPolicies, Istio routes) resolve
within a scope: each path given, and inside a folder each environment's folder (one whose own files declare a
Namespace that another folder declares too), with the files below it. So \`eks-platform check dist/\` judges each
dist/<env>/ on its own, like \`check dist/dev dist/staging dist/prod\`.

exit codes: 0 every rule judged holds; 1 a rule is broken or a suppression matches nothing; 2 usage error or input
that cannot be read`,
};

/** The parsed command line of `eks-platform <command> --help`. */
export interface HelpCommand {
  readonly command: 'help';
  readonly topic: keyof typeof COMMAND_HELP;
}

/** The parsed command line of `eks-platform synth`. */
export interface SynthCommand {
  readonly command: 'synth';
  readonly module: string;
  readonly environments: readonly string[];
  readonly outdir: string;
  readonly only?: SynthWorld;
  /** Compare with the output folders instead of writing them (drift control). @default false */
  readonly check?: boolean;
}

/** The parsed command line of `eks-platform cost`. */
export interface CostCommand {
  readonly command: 'cost';
  readonly module: string;
}

/** The parsed command line of `eks-platform check`. */
export interface CheckCommand {
  readonly command: 'check';
  readonly paths: readonly string[];
  readonly format: 'text' | 'json' | 'sarif' | 'codequality';
  readonly suppressions?: string;
  /** Rule ids or globs to judge (`--rules`). @default every rule */
  readonly rules?: readonly string[];
  /** Rule ids or globs to leave out (`--skip-rules`). @default none */
  readonly skipRules?: readonly string[];
  /** Print the rule ids instead of checking (`--list-rules`). @default false */
  readonly listRules?: boolean;
}

/** Where the command writes what it says. */
export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Parses the arguments after `eks-platform`; throws a {@link UsageError} for what it does not understand. */
export function parseCommandLine(argv: readonly string[]): SynthCommand | CostCommand | CheckCommand | HelpCommand | 'help' {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return 'help';
  }
  if ((command === 'synth' || command === 'cost' || command === 'check') && (rest.includes('--help') || rest.includes('-h'))) {
    return { command: 'help', topic: command };
  }
  if (command === 'check') {
    return parseCheckCommand(rest);
  }
  if (command !== 'synth' && command !== 'cost') {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; allowed: synth, cost, check`);
  }
  const positional: string[] = [];
  let outdir = '.';
  let only: SynthWorld | undefined;
  let check = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (command === 'synth' && arg === '--outdir') {
      const value = rest[++i];
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new UsageError('--outdir needs a folder');
      }
      outdir = value;
    } else if (command === 'synth' && arg === '--check') {
      check = true;
    } else if (command === 'synth' && arg === '--only') {
      const value = rest[++i];
      if (value !== 'terraform' && value !== 'kubernetes') {
        throw new UsageError(`--only is ${JSON.stringify(value ?? '')}; allowed: terraform or kubernetes`);
      }
      only = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}; allowed: ${command === 'synth' ? '--outdir DIR, --only terraform|kubernetes, --check' : 'none'}`);
    } else {
      positional.push(arg);
    }
  }
  const [module, ...environments] = positional;
  if (module === undefined) {
    throw new UsageError(`${command} needs a platform module (a .js or .ts file that exports a Platform)`);
  }
  if (command === 'cost') {
    if (environments.length > 0) {
      throw new UsageError(`cost takes one platform module; got also ${environments.join(' ')}`);
    }
    return { command, module };
  }
  return { command, module, environments, outdir, only, ...(check ? { check } : {}) };
}

function parseCheckCommand(rest: readonly string[]): CheckCommand {
  const paths: string[] = [];
  let format: CheckCommand['format'] = 'text';
  let suppressions: string | undefined;
  const rules: Record<'--rules' | '--skip-rules', string[]> = { '--rules': [], '--skip-rules': [] };
  let listRules = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--rules' || arg === '--skip-rules') {
      const value = rest[++i];
      const patterns = (value ?? '').split(',').map((p) => p.trim());
      if (value === undefined || value.startsWith('--') || patterns.some((p) => p === '')) {
        throw new UsageError(`${arg} needs comma-separated rule ids or globs, e.g. ${arg} 'baseline/*,restricted/*'`);
      }
      rules[arg].push(...patterns);
    } else if (arg === '--list-rules') {
      listRules = true;
    } else if (arg === '--format') {
      const value = rest[++i];
      if (value !== 'text' && value !== 'json' && value !== 'sarif' && value !== 'codequality') {
        throw new UsageError(`--format is ${JSON.stringify(value ?? '')}; allowed: text, json, sarif or codequality (GitLab Code Quality)`);
      }
      format = value;
    } else if (arg === '--suppressions') {
      const value = rest[++i];
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new UsageError('--suppressions needs a file');
      }
      suppressions = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}; allowed: --rules GLOBS, --skip-rules GLOBS, --format text|json|sarif|codequality, --suppressions FILE, --list-rules, --help`);
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0 && !listRules) {
    throw new UsageError('check needs at least one file or folder (Kubernetes YAML, Terraform JSON)');
  }
  return {
    command: 'check', paths, format,
    ...(suppressions !== undefined ? { suppressions } : {}),
    ...(rules['--rules'].length > 0 ? { rules: rules['--rules'] } : {}),
    ...(rules['--skip-rules'].length > 0 ? { skipRules: rules['--skip-rules'] } : {}),
    ...(listRules ? { listRules } : {}),
  };
}

/** Runs `eks-platform check`: the report on stdout; input it cannot read on stderr, exit 2. */
function runCheck(parsed: CheckCommand, out: CommandOutput): number {
  // required here: synth and cost need none of it
  const { CheckInputError, RuleSelectionError, KNOWN_RULES, RULE_DESCRIPTIONS, checkPaths, formatReport, selectRules } = require('./policy/check') as typeof import('./policy/check');
  const { SuppressionFileError } = require('./policy/suppressions') as typeof import('./policy/suppressions');
  try {
    if (parsed.listRules === true) {
      const selected = selectRules(parsed.rules, parsed.skipRules);
      out.stdout(KNOWN_RULES.filter(selected).map((id) => `${id.padEnd(34)} ${RULE_DESCRIPTIONS[id]}\n`).join(''));
      return 0;
    }
    const report = checkPaths(parsed.paths, { suppressions: parsed.suppressions, rules: parsed.rules, skipRules: parsed.skipRules });
    out.stdout(formatReport(report, parsed.format));
    return report.exitCode;
  } catch (err) {
    if (err instanceof RuleSelectionError) {
      out.stderr(`eks-platform check: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CheckInputError || err instanceof SuppressionFileError) {
      out.stderr(`eks-platform check: ${err.message}\n`);
      return 2;
    }
    // not a verdict on the input: the check could not be completed
    out.stderr(`eks-platform check: failed: ${messageOf(err)}\n`);
    return 2;
  }
}

/** Runs the command; resolves to its exit code. Never throws and never prints a stack trace. */
export async function runCommand(argv: readonly string[], out: CommandOutput): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    out.stderr(`eks-platform: ${messageOf(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  if (parsed.command === 'help') {
    out.stdout(`${COMMAND_HELP[parsed.topic]}\n`);
    return 0;
  }
  try {
    if (parsed.command === 'check') {
      return runCheck(parsed, out);
    }
    if (parsed.command === 'synth') {
      // this process is the command's own: cdktf need not record token stack traces here (see _cdktf-startup.ts)
      (require('./app/_cdktf-startup') as typeof import('./app/_cdktf-startup')).skipTokenStackTraces();
    }
    if (parsed.command === 'synth' && parsed.check === true) {
      // drift control: a synth into a temporary folder, compared with the output folders, which it never touches
      const { checkModuleDrift, formatDrift } = require('./app/drift') as typeof import('./app/drift');
      const report = await checkModuleDrift(parsed.module, { environments: parsed.environments, outdir: parsed.outdir, only: parsed.only });
      for (const w of report.warnings) {
        out.stderr(`warning: ${w.path}: ${w.message}\n`);
      }
      out.stdout(formatDrift(report, parsed.module));
      return report.drifted.length === 0 && report.compared.length > 0 ? 0 : 1;
    }
    if (parsed.command === 'synth') {
      // before anything else: finish or undo what an interrupted synth left, even when this one is refused
      const folders = outputFolders({ outdir: parsed.outdir });
      const recovered = recoverOutput(folders.state, [path.dirname(path.resolve(folders.terraform)), folders.kubernetes]);
      for (const line of recovered.messages) {
        out.stderr(`eks-platform: ${line}\n`);
      }
    }
    if (parsed.command === 'cost') {
      const { platform } = await loadPlatformModule(parsed.module);
      // required here: the cost report needs the AWS constructs' lifecycle rules, synth of one world may not
      const { costReport } = require('./app/cost-report') as typeof import('./app/cost-report');
      out.stdout(costReport(platform));
      return 0;
    }
    const result = await synthesizeModule(parsed.module, { environments: parsed.environments, outdir: parsed.outdir, only: parsed.only });
    for (const w of result.warnings) {
      out.stderr(`warning: ${w.path}: ${w.message}\n`);
    }
    out.stdout(`synthesized ${result.environments.join(', ')}: ${result.written.map((d) => path.relative('.', d) || '.').join(', ')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`eks-platform: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    const kind = err instanceof ValidationError ? 'the platform was refused' : 'synth failed';
    out.stderr(`eks-platform: ${kind}, nothing written:\n${messageOf(err)}\n`);
    if (process.env.EKS_PLATFORM_DEBUG && err instanceof Error && err.stack) {
      out.stderr(`${err.stack}\n`);
    }
    return 1;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

if (require.main === module) {
  void runCommand(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
