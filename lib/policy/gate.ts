/**
 * The gate every synth passes before its output replaces the previous one: it reads the written
 * files (it imports neither world) and refuses output that breaks a rule.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { listFiles } from '../synth';
import { analyzeIstio, formatFinding } from './istio-analyze';
import { checkPodSecurity, formatViolation, type KubernetesObject } from './pod-security';
import { PROMETHEUS_RULE, checkPrometheusRules } from './prometheus-rules';
import { checkTerraformStack } from './terraform-rules';
import { checkWorkloads, formatWorkloadFinding } from './workload-rules';

/** One broken rule in the output. */
export interface Violation {
  /** The rule, e.g. `pod-security/capabilities` or `IST0101`. */
  readonly rule: string;
  /** The file (relative to its output folder) and object that break it. */
  readonly where: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/**
 * Files a writer knows it wrote (relative path → the text written and the objects it was serialized from). The gate
 * uses the objects of a file whose text on disk is exactly that text, instead of parsing it back: the same objects,
 * since the YAML writer round-trips (test/app/kubernetes-app.test.ts proves it on the reference platform).
 */
export type KnownFiles = ReadonlyMap<string, { readonly text: string; readonly objects: readonly unknown[] }>;

/** Every object of every `.yaml` file below `dir`, in file order. Throws on YAML that does not parse. */
export function readKubernetesObjects(dir: string, known?: KnownFiles): Array<{ readonly file: string; readonly object: KubernetesObject }> {
  const out: Array<{ file: string; object: KubernetesObject }> = [];
  for (const file of listFiles(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))) {
    let docs: readonly unknown[];
    try {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const written = known?.get(file);
      docs = written !== undefined && written.text === text ? written.objects : loadAll(text);
    } catch (err) {
      throw new Error(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    for (const doc of docs) {
      if (doc) {
        out.push({ file, object: doc as KubernetesObject });
      }
    }
  }
  return out;
}

/** Every `cdk.tf.json` below `dir`, keyed by its stack folder name. */
export function readTerraformStacks(dir: string): Map<string, Record<string, unknown>> {
  const stacks = new Map<string, Record<string, unknown>>();
  for (const file of listFiles(dir).filter((f) => f.endsWith('cdk.tf.json'))) {
    stacks.set(path.basename(path.dirname(file)), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>);
  }
  return stacks;
}

/** Paths of the machine that must never appear in committed output. */
const MACHINE_PATH = /(?:^|["'\s:=])(\/(?:work|tmp|home|root|Users|var\/folders)\/[^"'\s]*)/;

/** Output files that mention an absolute path of the machine that wrote them. */
export function findMachinePaths(dir: string): Violation[] {
  const found: Violation[] = [];
  for (const file of listFiles(dir)) {
    const match = MACHINE_PATH.exec(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (match) {
      found.push({ rule: 'determinism/machine-path', where: file, message: `mentions the machine path ${match[1]}; output must be portable` });
    }
  }
  return found;
}

/**
 * The rules over one output folder: no machine paths anywhere; every pod template passes the Pod Security
 * Standard "restricted" and the platform's rules (lib/policy/pod-security.ts); the Istio objects pass the
 * analysis (lib/policy/istio-analyze.ts); workloads and mesh objects pass lib/policy/workload-rules.ts (its errors);
 * every Terraform stack passes lib/policy/terraform-rules.ts.
 */
export function checkFolder(dir: string, known?: KnownFiles): Violation[] {
  const violations = findMachinePaths(dir);
  const objects = readKubernetesObjects(dir, known).map((o) => o.object);
  for (const v of checkPodSecurity(objects)) {
    violations.push({ rule: v.control, where: `${v.kind} ${v.namespace ?? ''}/${v.name}`, message: formatViolation(v) });
  }
  for (const f of analyzeIstio(objects)) {
    violations.push({ rule: f.code, where: f.resource, message: formatFinding(f) });
  }
  // workloads, budgets, network policies, mesh (lib/policy/workload-rules.ts): errors refuse, warnings are the check's
  for (const f of checkWorkloads(objects).filter((w) => w.severity === 'error')) {
    violations.push({ rule: f.rule, where: `${f.kind} ${f.namespace ?? ''}/${f.name}`, message: formatWorkloadFinding(f) });
  }
  for (const f of checkPrometheusRules(objects)) {
    violations.push({ rule: PROMETHEUS_RULE, where: `${f.kind} ${f.namespace ?? ''}/${f.name}`, message: `${f.field} is ${JSON.stringify(f.value)}; allowed: ${f.allowed}` });
  }
  for (const [stack, json] of readTerraformStacks(dir)) {
    for (const v of checkTerraformStack(json).filter((t) => t.severity === 'error')) {
      violations.push({ rule: v.rule, where: `${stack}: ${v.address}`, message: v.message });
    }
  }
  return violations;
}

/** The violations of one written folder, each `where` prefixed with the folder the output is meant for. */
export function checkTarget(target: string, writtenDir: string, known?: KnownFiles): Violation[] {
  return checkFolder(writtenDir, known).map((v) => ({ ...v, where: `${target}: ${v.where}` }));
}

/** Throws one error listing every violation, unless there are none. */
export function refuseViolations(violations: readonly Violation[]): void {
  if (violations.length > 0) {
    throw new Error(`the gate refused the output (${violations.length} violation(s)):\n${violations.map((v) => `  [${v.rule}] ${v.where}: ${v.message}`).join('\n')}`);
  }
}

/**
 * The gate for `writeAtomically`: checks every written folder; throws one error listing every violation.
 * (`synthesize` checks each folder as soon as it is written instead, with {@link checkTarget}, and refuses with
 * {@link refuseViolations}: the same rules over the same files.)
 */
export function checkOutput(written: ReadonlyMap<string, string>): void {
  refuseViolations([...written].sort(([a], [b]) => a.localeCompare(b)).flatMap(([target, tmp]) => checkTarget(target, tmp)));
}
