/**
 * Suppressions for `eks-platform check`: a YAML or JSON file listing findings a team accepts, each with the reason.
 *
 * ```yaml
 * suppressions:                       # or the list itself at the top level
 *   - rule: baseline/host-namespaces
 *     file: dist/prod/platform.k8s.yaml   # optional: as the report prints it (relative to the current folder)
 *     kind: DaemonSet
 *     namespace: monitoring               # optional
 *     name: node-exporter
 *     reason: reads the node's metrics; reviewed by security, ticket SEC-123
 * ```
 *
 * A suppression matches a finding when `rule`, `kind` and `name` are equal, and `file` and `namespace` too when they
 * are given. An entry without a non-empty `reason`, or with a field this format does not know, is refused
 * ({@link SuppressionFileError}); a suppression that matches no finding is reported by the check as an error.
 */
import * as fs from 'node:fs';
import { load } from 'js-yaml';

/** One accepted finding. */
export interface Suppression {
  /** The rule id, e.g. `baseline/privileged`, `iam-admin-statement`, `IST0101`. */
  readonly rule: string;
  /** The file, relative to the current folder, with `/` separators. @default any file */
  readonly file?: string;
  /** The object's kind (Kubernetes), or the resource type (Terraform, e.g. `aws_iam_role_policy`). */
  readonly kind: string;
  /** The object's namespace. @default any namespace */
  readonly namespace?: string;
  /** The object's name (Kubernetes), or the resource name (Terraform). */
  readonly name: string;
  /** Why the finding is accepted. Required and non-empty. */
  readonly reason: string;
  /** The entry's position in the file, from 1 (for messages). */
  readonly entry: number;
}

/** A suppression file that cannot be read or has an invalid entry: a usage error of the check (exit 2). */
export class SuppressionFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionFileError';
  }
}

const FIELDS = ['rule', 'file', 'kind', 'namespace', 'name', 'reason'] as const;
const REQUIRED = ['rule', 'kind', 'name', 'reason'] as const;

/** `entry 2 (rule baseline/privileged, Pod default/debug)`: how messages name an entry. */
export function describeEntry(index: number, raw: unknown): string {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const what = [
    text(o.rule) ? `rule ${text(o.rule)}` : undefined,
    text(o.kind) || text(o.name) ? `${text(o.kind) ?? '?'} ${text(o.namespace) ? `${text(o.namespace)}/` : ''}${text(o.name) ?? '?'}` : undefined,
  ].filter((x) => x !== undefined);
  return `entry ${index}${what.length > 0 ? ` (${what.join(', ')})` : ''}`;
}

/**
 * Parses suppressions from text (YAML or JSON): a list, or an object whose `suppressions` is a list.
 * `label` names the file in messages. Throws a {@link SuppressionFileError} naming the first invalid entry.
 */
export function parseSuppressions(text: string, label: string): Suppression[] {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    throw new SuppressionFileError(`${label}: does not parse as YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (doc === undefined || doc === null) {
    return [];
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && Array.isArray((doc as Record<string, unknown>).suppressions) ? ((doc as Record<string, unknown>).suppressions as unknown[]) : undefined;
  if (list === undefined) {
    throw new SuppressionFileError(`${label}: expected a list of suppressions, or an object with a list "suppressions"`);
  }
  return list.map((raw, i) => {
    const entry = i + 1;
    const where = `${label}: ${describeEntry(entry, raw)}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new SuppressionFileError(`${where}: is not an object with rule, kind, name and reason`);
    }
    const o = raw as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new SuppressionFileError(`${where}: unknown field(s) ${unknown.join(', ')}; allowed: ${FIELDS.join(', ')}`);
    }
    for (const key of FIELDS) {
      if (o[key] !== undefined && typeof o[key] !== 'string') {
        throw new SuppressionFileError(`${where}: ${key} is ${JSON.stringify(o[key])}; allowed: a string`);
      }
    }
    if (typeof o.reason !== 'string' || o.reason.trim() === '') {
      throw new SuppressionFileError(`${where}: reason is ${o.reason === undefined ? 'missing' : 'empty'}; every suppression needs a non-empty reason`);
    }
    for (const key of REQUIRED) {
      if (typeof o[key] !== 'string' || (o[key] as string).trim() === '') {
        throw new SuppressionFileError(`${where}: ${key} is ${o[key] === undefined ? 'missing' : 'empty'}; required: rule, kind, name and reason`);
      }
    }
    const optional = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const file = optional(o.file)?.replace(/\\/g, '/').replace(/^\.\//, '');
    return {
      rule: o.rule as string,
      ...(file !== undefined ? { file } : {}),
      kind: o.kind as string,
      ...(optional(o.namespace) !== undefined ? { namespace: optional(o.namespace) } : {}),
      name: o.name as string,
      reason: (o.reason as string).trim(),
      entry,
    };
  });
}

/** Reads a suppression file; a missing or unreadable file is a {@link SuppressionFileError}. */
export function readSuppressions(file: string, label: string = file): Suppression[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SuppressionFileError(`suppression file ${label}: no such file or not readable`);
  }
  return parseSuppressions(text, label);
}

/** What a suppression matches against. */
export interface SuppressibleFinding {
  readonly rule: string;
  readonly file: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** Whether `s` suppresses `f`. */
export function suppresses(s: Suppression, f: SuppressibleFinding): boolean {
  return s.rule === f.rule
    && s.kind === f.kind
    && s.name === f.name
    && (s.file === undefined || s.file === f.file)
    && (s.namespace === undefined || s.namespace === f.namespace);
}
