/**
 * Private helpers for IAM policy documents: rendering them as deterministic JSON text
 * and refusing statements that grant every action on every resource.
 * Not exported from lib/index.ts.
 */
import type { AwsPartition } from '../model/partition';
import type { IamStatementSpec } from '../model/service';
import { ValidationError } from '../model/validation';
import { validateIamStatements } from '../model/rules';

/** The principal of a resource-based statement (trust policies, key policies). */
export interface PolicyPrincipal {
  readonly type: 'AWS' | 'Service' | 'Federated';
  readonly identifiers: readonly string[];
}

/** One condition of a statement, e.g. `StringEquals` on `aws:ResourceTag/x` = `owned`. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One IAM policy statement. Values may hold cdktf tokens (ARNs of resources in the stack). */
export interface PolicyStatement {
  /** @default no Sid */
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** @default none (trust policies have no Resource) */
  readonly resources?: readonly string[];
  /** @default none (identity policies have no Principal) */
  readonly principals?: readonly PolicyPrincipal[];
  /** @default none */
  readonly conditions?: readonly PolicyCondition[];
}

/** Turns the model's plain statements into Allow statements. */
export function fromSpecs(specs: readonly IamStatementSpec[]): PolicyStatement[] {
  return specs.map((s) => ({ actions: s.actions, resources: s.resources }));
}

const sortedUnique = (values: readonly string[]): string[] => [...new Set(values)].sort();

/**
 * Throws a {@link ValidationError} for a statement no engineer means (see validateIamStatements in
 * lib/model/rules.ts): no actions, no resources, or an Allow of `service:*` or `*` on resource `*`.
 * @param path the construct path that owns the statements
 * @param field the prop holding them, e.g. `statements`
 */
export function assertNoAdminStatements(path: string, field: string, statements: readonly PolicyStatement[]): void {
  validateIamStatements(path, field, statements);
}

/** Renders one statement with a fixed key order, sorted actions and resources, conditions grouped by operator. */
function renderStatement(s: PolicyStatement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.sid !== undefined) {
    out.Sid = s.sid;
  }
  out.Effect = s.effect ?? 'Allow';
  if (s.principals && s.principals.length > 0) {
    const principal: Record<string, string | string[]> = {};
    for (const p of [...s.principals].sort((a, b) => a.type.localeCompare(b.type))) {
      const ids = sortedUnique([...(principal[p.type] ?? []), ...p.identifiers]);
      principal[p.type] = ids.length === 1 ? ids[0] : ids;
    }
    out.Principal = principal;
  }
  const actions = sortedUnique(s.actions);
  out.Action = actions.length === 1 ? actions[0] : actions;
  if (s.resources !== undefined) {
    const resources = sortedUnique(s.resources);
    out.Resource = resources.length === 1 ? resources[0] : resources;
  }
  if (s.conditions && s.conditions.length > 0) {
    const condition: Record<string, Record<string, string | string[]>> = {};
    for (const c of s.conditions) {
      const values = sortedUnique(c.values);
      condition[c.test] = { ...(condition[c.test] ?? {}), [c.variable]: values.length === 1 ? values[0] : values };
    }
    out.Condition = condition;
  }
  return out;
}

/**
 * A policy document as JSON text. Rendered with JSON.stringify (not `jsonencode`) so that the
 * synthesized `cdk.tf.json` holds plain JSON a policy rule can read; cdktf tokens inside strings
 * become Terraform interpolations.
 */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements.map(renderStatement) });
}

/** The trust policy letting an AWS service (e.g. `eks.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(...services: string[]): string {
  return policyDocument([{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: services }] }]);
}

/**
 * The ARN of an AWS managed policy.
 * @param partition the ARN partition of the region (`arnPartition(region)`); default `aws`
 */
export function awsManagedPolicyArn(name: string, partition: AwsPartition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
