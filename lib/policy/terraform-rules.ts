/**
 * Rules over a synthesized Terraform JSON stack (`cdk.tf.json`, parsed): plain JSON in, violations out.
 * Imports no cdktf, so the gate can run it on files. Every rule reads one stack: references between resources
 * (`"${aws_s3_bucket.<name>.id}"`, `"${aws_vpc.<name>.id}"`) are resolved within it, and a resource of another
 * stack or account (an existing VPC, a bucket by a name the stack does not create) is not judged. Resource types no
 * rule names (RDS, ElastiCache, Secrets Manager, ...) are only read for their IAM policy documents.
 *
 * S3, per `aws_s3_bucket` (AWS provider v4+ companion resources point at the bucket by reference or by its literal
 * name; the deprecated inline blocks count too):
 * - `s3-versioning`: an `aws_s3_bucket_versioning` with status `Enabled` (or Object Lock, which keeps it on).
 * - `s3-sse-kms`: default encryption `aws:kms` or `aws:kms:dsse` with a customer key (`kms_master_key_id` set, and
 *   not `alias/aws/s3`: without it S3 uses the AWS managed key); a bucket that receives S3 server access logs
 *   (the `target_bucket` of an `aws_s3_bucket_logging` of the stack) may use `AES256`, the only default encryption
 *   AWS supports on a log destination.
 * - `s3-public-access-block`: an `aws_s3_bucket_public_access_block` with all four flags true, or an
 *   `aws_s3_account_public_access_block` of the stack with all four.
 * - `s3-tls-only`: a bucket policy that denies `s3:*` to any principal when `aws:SecureTransport` is false (a policy
 *   the rules cannot read is `iam-policy-unreadable`, not a finding here).
 * - `s3-abort-incomplete-uploads`: an enabled lifecycle rule over the whole bucket that aborts incomplete
 *   multipart uploads.
 * - `s3-ownership-enforced`: `aws_s3_bucket_ownership_controls` with `BucketOwnerEnforced` (ACLs disabled).
 *
 * EKS, per `aws_eks_cluster`:
 * - `eks-secrets-encryption`: `encryption_config` with resources `["secrets"]` and a customer KMS key.
 * - `eks-public-endpoint-open`: the public endpoint is on (Terraform's default) and its `public_access_cidrs` of one
 *   address family together cover more than a /8 (no `public_access_cidrs` means 0.0.0.0/0; `0.0.0.0/1` with
 *   `128.0.0.0/1`, a /7, two /8, `::/0` are findings).
 * - `eks-control-plane-logs`: `enabled_cluster_log_types` holds api, audit, authenticator, controllerManager and
 *   scheduler.
 * - `eks-upgrade-policy`: `upgrade_policy.support_type` set explicitly (AWS's default, EXTENDED, bills extended
 *   support once the version leaves standard support).
 *
 * Launch templates, per `aws_launch_template` (both pass when the metadata endpoint is disabled), and per
 * `aws_eks_node_group` without a `launch_template` (its nodes run on the template EKS generates, whose metadata
 * options the stack cannot set: a finding of both):
 * - `launch-template-imdsv1`: `metadata_options.http_tokens = "required"`.
 * - `launch-template-hop-limit`: `metadata_options.http_put_response_hop_limit = 1`, so that a pod (not on the host
 *   network) cannot reach IMDS and the node's role; unset leaves the AMI's default (2 on AMIs registered for
 *   IMDSv2, such as AL2023).
 *
 * KMS: `kms-key-rotation`: `enable_key_rotation` on every symmetric `aws_kms_key` (asymmetric and HMAC keys and
 * keys of a custom key store cannot rotate automatically, and are not judged); an expression the rule cannot read
 * (`"${var.rotate}"`) is a warning.
 *
 * IAM:
 * - `iam-admin-statement`: an IAM policy document (any `policy` / `*_policy` attribute, and
 *   `aws_iam_policy_document` data sources) with an Allow of action `*` / `*:*` (or any `NotAction`) on every
 *   resource: `*`, an all-wildcard ARN (`arn:aws:*:*:*:*`), or any `NotResource`. A policy-document data source is
 *   read as Terraform merges it: `source_policy_documents`, its own statements, `override_policy_documents` (by
 *   `sid`), recursively.
 * - `iam-policy-unreadable` (warning): a policy the rules cannot read (an HCL expression such as `jsonencode(...)`
 *   rather than JSON text or a reference to a policy-document data source of the stack, or a merged document that is
 *   neither); the rules that read it report nothing on it.
 * - `iam-administrator-access`: the AWS managed policy `AdministratorAccess` attached to a role, user, group or
 *   permission set (policy attachments, `managed_policy_arns`, `*_policy_attachments_exclusive`).
 * - `iam-public-trust`: a role trust policy (`assume_role_policy`) that allows principal `*` (or `{"AWS": "*"}`)
 *   without a condition narrowing it to an organization, account or principal; or a `Federated` web identity
 *   principal without a StringEquals/StringLike condition on `<provider>:sub` naming the subjects (GitHub
 *   `repo:<org>/<repo>`, EKS `system:serviceaccount:<namespace>:<name>`; Cognito: `cognito-identity.amazonaws.com:aud`).
 *
 * VPC:
 * - `vpc-flow-logs`: every `aws_vpc` of the stack has an `aws_flow_log` pointing at it.
 * - `vpc-default-security-group-closed`: every `aws_vpc` of the stack has its `aws_default_security_group`, and a
 *   default security group has no ingress or egress rule (inline, or a rule resource pointing at it).
 * - `vpc-public-ip-on-launch`: no `aws_subnet` with `map_public_ip_on_launch` true and no launch template network
 *   interface with `associate_public_ip_address` true.
 *
 * ECR, per `aws_ecr_repository`:
 * - `ecr-immutable-tags`: `image_tag_mutability` IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION whose filters are not made
 *   only of `*` (every tag) and match no release tag (`1.2.3`, `v1.2.3`, ...: `v*` is a finding, `latest*` is not).
 * - `ecr-scan-on-push`: `image_scanning_configuration.scan_on_push`, or a rule of an
 *   `aws_ecr_registry_scanning_configuration` of the stack that scans the repository on push (or continuously).
 */

/** One finding. */
export interface TerraformViolation {
  /** The rule's id, e.g. `iam-admin-statement`. */
  readonly rule: string;
  /** `error` blocks a synth; `warning` is reported. */
  readonly severity: 'error' | 'warning';
  /** The Terraform address, e.g. `aws_iam_role_policy.Foo_1234` or `data.aws_iam_policy_document.X`. */
  readonly address: string;
  /** What is wrong. */
  readonly message: string;
  /**
   * The attribute the rule reads, from the resource body (`enabled_cluster_log_types`), or a companion resource's
   * type and attribute (`aws_s3_bucket_versioning.versioning_configuration.status`).
   * @default not given: `eks-platform check` derives it from the rule and the message
   */
  readonly field?: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Terraform JSON allows a nested block as an object or a list of objects. */
function blocks(v: unknown): Json[] {
  if (Array.isArray(v)) {
    return v.filter(isObject);
  }
  return isObject(v) ? [v] : [];
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') {
    return [v];
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Every `<type>.<name>` and its body under `resource` or `data`. */
function entries(stack: Json, section: 'resource' | 'data'): Array<{ type: string; name: string; body: Json }> {
  const out: Array<{ type: string; name: string; body: Json }> = [];
  const bySection = stack[section];
  if (!isObject(bySection)) {
    return out;
  }
  for (const type of Object.keys(bySection).sort()) {
    const byName = bySection[type];
    if (!isObject(byName)) {
      continue;
    }
    for (const name of Object.keys(byName).sort()) {
      const body = byName[name];
      if (isObject(body)) {
        out.push({ type, name, body });
      }
    }
  }
  return out;
}

const isAdminAction = (a: string) => a === '*' || a === '*:*';

/** A resource that names every resource: `*`, or an ARN whose service, region, account and resource are all `*`. */
const isAllResources = (r: string) => r === '*' || /^arn:[^:]*:\*:\*:\*:\*$/.test(r.trim());

/** Whether a statement allows everything on everything (or nearly, through NotAction or NotResource). */
function adminStatement(actions: string[], notActions: string[], resources: string[], effect: unknown, notResources: string[] = []): string | undefined {
  if ((effect ?? 'Allow') !== 'Allow') {
    return undefined;
  }
  const all = resources.find(isAllResources);
  const on = all !== undefined ? `on resource ${JSON.stringify(all)}` : notResources.length > 0 ? `on every resource except ${JSON.stringify(notResources)}` : undefined;
  if (on === undefined) {
    return undefined;
  }
  if (actions.some(isAdminAction)) {
    return `allows action ${JSON.stringify(actions.find(isAdminAction))} ${on}`;
  }
  if (notActions.length > 0) {
    return `allows every action except ${JSON.stringify(notActions)} ${on}`;
  }
  return undefined;
}

/**
 * Replaces every Terraform interpolation `${...}` in a string by a placeholder, so that JSON text
 * holding references (`${aws_kms_key.k.arn}`, `${replace(x, "https://", "")}`) parses. Braces and
 * quoted strings inside the interpolation are skipped; an unterminated one is left as it is.
 */
export function neutralizeInterpolations(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        const ch = text[j];
        if (ch === '"') {
          j++;
          while (j < text.length && text[j] !== '"') {
            j += text[j] === '\\' ? 2 : 1;
          }
        } else if (ch === '{') {
          depth++;
        } else if (ch === '}') {
          depth--;
        }
        j++;
      }
      if (depth > 0) {
        return out + text.slice(i);
      }
      out += 'TF_EXPRESSION';
      i = j;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/** Parses a policy document given as JSON text (interpolations neutralized), or undefined if it is not JSON. */
export function readPolicyDocument(text: string): unknown {
  try {
    return JSON.parse(neutralizeInterpolations(text.trim()));
  } catch {
    return undefined;
  }
}

/** Checks a policy document given as JSON text. */
function checkPolicyText(address: string, attribute: string, text: string, data: ReadonlyMap<string, Json>, out: TerraformViolation[]): void {
  const trimmed = text.trim();
  const ref = POLICY_DOCUMENT_REF.exec(trimmed);
  if (ref) {
    if (!data.has(ref[1])) {
      out.push({ rule: 'iam-policy-unreadable', severity: 'warning', address, field: attribute, message: `${attribute} references data.aws_iam_policy_document.${ref[1]}, which the stack does not hold; render policies as JSON or through an aws_iam_policy_document of the stack` });
    }
    return; // checked on the data source itself
  }
  if (!trimmed.startsWith('{') && !trimmed.includes('${')) {
    return; // a plain value such as "Delete" under a *_policy key: not a policy document
  }
  const doc = readPolicyDocument(trimmed);
  if (doc === undefined) {
    out.push({ rule: 'iam-policy-unreadable', severity: 'warning', address, message: `${attribute} is not JSON text the rule can read (${trimmed.slice(0, 60)}...); render policies as JSON or through aws_iam_policy_document` });
    return;
  }
  if (!isObject(doc)) {
    return;
  }
  blocks(doc.Statement).forEach((s, i) => {
    const problem = adminStatement(strings(s.Action), strings(s.NotAction), strings(s.Resource), s.Effect, strings(s.NotResource));
    if (problem) {
      out.push({ rule: 'iam-admin-statement', severity: 'error', address, message: `${attribute} statement ${i} ${problem}` });
    }
  });
}

/** Every `policy` attribute in a resource body, including nested blocks such as `inline_policy`. */
function policyAttributes(body: unknown, path: string, out: Array<{ attribute: string; text: string }>): void {
  if (Array.isArray(body)) {
    body.forEach((item, i) => policyAttributes(item, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(body)) {
    return;
  }
  for (const key of Object.keys(body).sort()) {
    if (key === '//') {
      continue;
    }
    const value = body[key];
    const attribute = path ? `${path}.${key}` : key;
    if (typeof value === 'string' && (key === 'policy' || key.endsWith('_policy'))) {
      out.push({ attribute, text: value });
    } else if (typeof value === 'object') {
      policyAttributes(value, attribute, out);
    }
  }
}

/** A resource of the stack: its type, its name and its body. */
type Resource = { type: string; name: string; body: Json };

const isTrue = (v: unknown) => v === true || v === 'true';

/** The name of the resource of `type` a value references (`${aws_vpc.Network_1C.id}`, with `attributes`), or undefined. */
function referenced(value: unknown, type: string, attributes: readonly string[]): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const m = /^\$\{([\w-]+)\.([\w-]+)(?:\[[^\]]*\])?\.([\w-]+)\}$/.exec(value.trim());
  return m && m[1] === type && attributes.includes(m[3]) ? m[2] : undefined;
}

/** The value at a path of nested blocks (`rule.apply_server_side_encryption_by_default.sse_algorithm`), every match. */
function valuesAt(body: unknown, path: string): unknown[] {
  let current: unknown[] = [body];
  for (const key of path.split('.')) {
    current = current.flatMap((c) => (isObject(c) ? (Array.isArray(c[key]) ? (c[key] as unknown[]) : c[key] === undefined ? [] : [c[key]]) : []));
  }
  return current;
}

/** One statement of a policy, read from JSON text or from an `aws_iam_policy_document` data source. */
interface PolicyStatementView {
  /** The statement's `Sid` / `sid`, if any (overrides replace statements by it). */
  readonly sid?: string;
  readonly effect: string;
  /** Principals by type (`AWS`, `Service`, `Federated`, or `*` for `"Principal": "*"`). */
  readonly principals: ReadonlyMap<string, readonly string[]>;
  /** Whether the statement names its principals by exclusion (`NotPrincipal` / `not_principals`): everyone else. */
  readonly notPrincipal?: boolean;
  readonly actions: readonly string[];
  /** Conditions as operator, key (lower case) and values. */
  readonly conditions: ReadonlyArray<{ readonly test: string; readonly variable: string; readonly values: readonly string[] }>;
}

const POLICY_DOCUMENT_REF = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.(?:json|minified_json)\}$/;

/** The statements of a parsed JSON policy document, or undefined if it is not an object. */
function jsonStatements(doc: unknown): PolicyStatementView[] | undefined {
  if (!isObject(doc)) {
    return undefined;
  }
  return blocks(doc.Statement).map((s) => {
    const principals = new Map<string, string[]>();
    if (s.Principal === '*') {
      principals.set('*', ['*']);
    } else if (isObject(s.Principal)) {
      for (const type of Object.keys(s.Principal)) {
        principals.set(type, strings(s.Principal[type]));
      }
    }
    const conditions: Array<{ test: string; variable: string; values: string[] }> = [];
    if (isObject(s.Condition)) {
      for (const test of Object.keys(s.Condition)) {
        const byKey = s.Condition[test];
        if (isObject(byKey)) {
          for (const variable of Object.keys(byKey)) {
            const raw = byKey[variable];
            const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
            conditions.push({ test, variable: variable.toLowerCase(), values });
          }
        }
      }
    }
    return { sid: typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : undefined, effect: typeof s.Effect === 'string' ? s.Effect : 'Allow', principals, notPrincipal: s.NotPrincipal !== undefined, actions: strings(s.Action), conditions };
  });
}

/** The `statement` blocks of an `aws_iam_policy_document` data source (its own, without the documents it merges). */
function ownStatements(doc: Json): PolicyStatementView[] {
  return blocks(doc.statement).map((s) => {
    const principals = new Map<string, string[]>();
    for (const p of blocks(s.principals)) {
      const type = typeof p.type === 'string' ? p.type : '';
      principals.set(type, [...(principals.get(type) ?? []), ...strings(p.identifiers)]);
    }
    return {
      sid: typeof s.sid === 'string' && s.sid !== '' ? s.sid : undefined,
      effect: typeof s.effect === 'string' ? s.effect : 'Allow',
      principals,
      notPrincipal: blocks(s.not_principals).length > 0,
      actions: strings(s.actions),
      conditions: blocks(s.condition).map((c) => ({ test: String(c.test ?? ''), variable: String(c.variable ?? '').toLowerCase(), values: strings(c.values) })),
    };
  });
}

/**
 * The documents an `aws_iam_policy_document` merges, in Terraform's order: `source_policy_documents` (and the
 * deprecated `source_json`) first, then its own statements, then `override_policy_documents` (and `override_json`),
 * with their attribute path. A list given as one expression (not a JSON list) is one unreadable entry.
 */
function mergedDocuments(doc: Json): { sources: Array<{ attribute: string; value: unknown }>; overrides: Array<{ attribute: string; value: unknown }> } {
  const list = (key: string) => {
    const v = doc[key];
    if (v === undefined || v === null) {
      return [];
    }
    return Array.isArray(v) ? v.map((value, i) => ({ attribute: `${key}[${i}]`, value })) : [{ attribute: key, value: v }];
  };
  const single = (key: string) => (doc[key] === undefined || doc[key] === null || doc[key] === '' ? [] : [{ attribute: key, value: doc[key] }]);
  return { sources: [...single('source_json'), ...list('source_policy_documents')], overrides: [...single('override_json'), ...list('override_policy_documents')] };
}

/** Appends statements, a statement with the `sid` of one already there replacing it (Terraform's merge). */
function mergeBySid(into: PolicyStatementView[], statements: readonly PolicyStatementView[]): PolicyStatementView[] {
  const out = [...into];
  for (const s of statements) {
    const at = s.sid === undefined ? -1 : out.findIndex((x) => x.sid === s.sid);
    if (at >= 0) {
      out[at] = s;
    } else {
      out.push(s);
    }
  }
  return out;
}

/**
 * The statements of a policy given as JSON text, or of the `aws_iam_policy_document` data source (of `data`, by name)
 * it references, with the documents that data source merges (recursively); undefined when the policy, or a document
 * it merges, cannot be read (not JSON, a data source the stack does not hold, an expression, a cycle).
 */
function statementsOf(text: unknown, data: ReadonlyMap<string, Json>, seen: ReadonlySet<string> = new Set()): PolicyStatementView[] | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const ref = POLICY_DOCUMENT_REF.exec(text.trim());
  if (!ref) {
    return jsonStatements(readPolicyDocument(text));
  }
  const doc = data.get(ref[1]);
  if (doc === undefined || seen.has(ref[1])) {
    return undefined;
  }
  const inner = new Set([...seen, ref[1]]);
  const { sources, overrides } = mergedDocuments(doc);
  let merged: PolicyStatementView[] = [];
  for (const { value } of sources) {
    const statements = statementsOf(value, data, inner);
    if (statements === undefined) {
      return undefined;
    }
    merged = mergeBySid(merged, statements);
  }
  merged = mergeBySid(merged, ownStatements(doc));
  for (const { value } of overrides) {
    const statements = statementsOf(value, data, inner);
    if (statements === undefined) {
      return undefined;
    }
    merged = mergeBySid(merged, statements);
  }
  return merged;
}

/** An AWS principal ARN of any account (`arn:aws:iam::*:root`, `arn:aws:iam::*:role/x`). */
const ANY_ACCOUNT_ARN = /^arn:[^:]*:(?:iam|sts)::\*:/;

/**
 * Whether a statement's principal is anyone: `"*"`, `*` among the AWS (or Federated) principals, or an AWS principal
 * of any account (`arn:aws:iam::*:root`).
 */
function anyPrincipal(s: PolicyStatementView): boolean {
  return ['*', 'AWS', 'Federated'].some((type) => (s.principals.get(type) ?? []).includes('*'))
    || (s.principals.get('AWS') ?? []).some((p) => ANY_ACCOUNT_ARN.test(p));
}

/** Condition keys that narrow a statement to an organization, an account or a principal. */
const NARROWING_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn', 'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths']);
/** Operators that require the key to be present and to match (not `...IfExists`, not a negation). */
const NARROWING_OPERATOR = /^(?:ForAnyValue:)?(?:StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

function narrowed(s: PolicyStatementView): boolean {
  return s.conditions.some((c) => NARROWING_KEYS.has(c.variable) && NARROWING_OPERATOR.test(c.test) && c.values.length > 0 && !c.values.includes('*'));
}

/** Operators that require a web-identity claim to match (not `...IfExists`, not a negation). */
const CLAIM_OPERATOR = /^(?:ForAnyValue:|ForAllValues:)?(?:StringEquals|StringLike)$/;

const wildcardOnly = (v: string) => /^[*?]*$/.test(v);

/**
 * Whether a `sub` claim value names who may assume the role: GitHub's `repo:<org>/<repo>[:...]` with a literal
 * organization and a repository that is not only wildcards (`repo:acme/app`, `repo:acme/app-*:ref:refs/heads/main`;
 * not `repo:*`, `repo:acme/*`); an EKS service account `system:serviceaccount:<namespace>:<name>` with a literal
 * namespace and a name that is not only wildcards; any other provider's value not made only of wildcards.
 */
function concreteSub(value: string, github: boolean): boolean {
  if (github) {
    const m = /^repo:([^/:]+)\/([^/:]+)(?::.*)?$/.exec(value);
    return m !== null && !/[*?]/.test(m[1]) && !wildcardOnly(m[2]);
  }
  if (value.startsWith('system:serviceaccount:')) {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(value);
    return m !== null && !/[*?]/.test(m[1]) && !wildcardOnly(m[2]);
  }
  return !/^[*?:/]*$/.test(value);
}

/**
 * For a trust statement with a `Federated` principal, what is missing for it to name who may assume the role, or
 * undefined: an OIDC provider (an `oidc-provider/` ARN, an `aws_iam_openid_connect_provider` reference, any other
 * web identity provider) needs a StringEquals/StringLike condition on `<provider>:sub` whose values are concrete (see
 * {@link concreteSub}); Cognito (`cognito-identity.amazonaws.com`) one on `cognito-identity.amazonaws.com:aud` naming
 * an identity pool. SAML providers are not judged.
 */
function openFederation(s: PolicyStatementView): string | undefined {
  const providers = (s.principals.get('Federated') ?? []).filter((p) => p !== '*' && !/:saml-provider\//.test(p));
  if (providers.length === 0) {
    return undefined;
  }
  const claims = s.conditions.filter((c) => CLAIM_OPERATOR.test(c.test) && c.values.length > 0);
  const problems: string[] = [];
  if (providers.some((p) => p === 'cognito-identity.amazonaws.com')) {
    if (!claims.some((c) => c.variable === 'cognito-identity.amazonaws.com:aud' && c.values.every((v) => !/^[*?:]*$/.test(v)))) {
      problems.push('no StringEquals/StringLike condition on cognito-identity.amazonaws.com:aud naming an identity pool (any identity of any pool could assume the role)');
    }
  }
  const oidc = providers.filter((p) => p !== 'cognito-identity.amazonaws.com');
  if (oidc.length > 0) {
    const github = oidc.some((p) => p.includes('token.actions.githubusercontent.com'));
    const subs = claims.filter((c) => c.variable.endsWith(':sub'));
    const ok = subs.some((c) => c.values.every((v) => concreteSub(v, github || c.variable.startsWith('token.actions.githubusercontent.com'))));
    if (!ok) {
      const what = github || subs.some((c) => c.variable.startsWith('token.actions.githubusercontent.com'))
        ? 'repo:<org>/<repo> with a literal organization and repository'
        : 'a subject (EKS: system:serviceaccount:<namespace>:<name>)';
      const host = oidc.map((p) => /:oidc-provider\/(.+)$/.exec(p)?.[1] ?? '<provider URL>')[0];
      problems.push(subs.length === 0
        ? `no StringEquals/StringLike condition on ${host}:sub (any identity the provider issues tokens to could assume the role)`
        : `the condition on ${subs[0].variable.replace(/tf_expression/g, '<provider URL>')} allows ${JSON.stringify(subs[0].values)}, not only ${what}`);
    }
  }
  return problems.length === 0 ? undefined : problems.join(', and ');
}

/** A CIDR block as its first address and size, in its address family; undefined if it is not one (an expression). */
function parseCidr(cidr: string): { family: 4 | 6; prefix: number; start: bigint; size: bigint } | undefined {
  const [address, bits, ...rest] = cidr.trim().split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) {
    return undefined;
  }
  const prefix = Number(bits);
  let value = 0n;
  let width: number;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(address)) {
    const octets = address.split('.').map(Number);
    if (octets.some((o) => o > 255)) {
      return undefined;
    }
    value = octets.reduce((v, o) => (v << 8n) | BigInt(o), 0n);
    width = 32;
  } else if (/^[0-9a-fA-F:]+$/.test(address) && address.includes(':')) {
    const halves = address.split('::');
    if (halves.length > 2) {
      return undefined;
    }
    const groups = (h: string) => (h === '' ? [] : h.split(':'));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0 || [...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
      return undefined;
    }
    value = [...head, ...Array<string>(missing).fill('0'), ...tail].reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n);
    width = 128;
  } else {
    return undefined;
  }
  if (prefix > width) {
    return undefined;
  }
  const size = 1n << BigInt(width - prefix);
  return { family: width === 32 ? 4 : 6, prefix, start: (value / size) * size, size };
}

/** The most the public endpoint may be open to, per address family, in prefix length: a /8 (16.7M IPv4 addresses). */
const WIDEST_PUBLIC_PREFIX = 8;

/**
 * Why public access CIDRs are too open, or undefined: the blocks of one address family, together (overlaps counted
 * once), cover more addresses than one /8 — 0.0.0.0/0, ::/0, 0.0.0.0/1 and 128.0.0.0/1, a /7, two /8. CIDRs the rule
 * cannot read (expressions) are not judged.
 */
function tooOpen(cidrs: readonly string[]): string | undefined {
  const parsed = cidrs.map((c) => ({ cidr: c.trim(), block: parseCidr(c) })).filter((c): c is { cidr: string; block: NonNullable<ReturnType<typeof parseCidr>> } => c.block !== undefined);
  for (const family of [4, 6] as const) {
    const width = family === 4 ? 32 : 128;
    const ofFamily = parsed.filter((c) => c.block.family === family).sort((a, b) => (a.block.start < b.block.start ? -1 : a.block.start > b.block.start ? 1 : 0));
    let covered = 0n;
    let end = -1n; // the end (exclusive) of the union so far
    for (const { block } of ofFamily) {
      const blockEnd = block.start + block.size;
      if (blockEnd > end) {
        covered += blockEnd - (block.start > end ? block.start : end);
        end = blockEnd;
      }
    }
    if (covered > 1n << BigInt(width - WIDEST_PUBLIC_PREFIX)) {
      const how = covered === 1n << BigInt(width) ? `the whole IPv${family} address space` : `${ofFamily.length > 1 ? 'together ' : ''}more addresses than a /${WIDEST_PUBLIC_PREFIX}`;
      return `${ofFamily.map((c) => c.cidr).join(', ')} (${how}); allowed: endpoint_public_access false, or public_access_cidrs covering at most a /${WIDEST_PUBLIC_PREFIX} per address family`;
    }
  }
  return undefined;
}

/** Checks a parsed `cdk.tf.json`. Order is deterministic: by rule family, then address. */
export function checkTerraformStack(stack: unknown): TerraformViolation[] {
  const out: TerraformViolation[] = [];
  if (!isObject(stack)) {
    return out;
  }
  const resources = entries(stack, 'resource');
  const dataSources = entries(stack, 'data');

  const data = new Map(dataSources.filter((d) => d.type === 'aws_iam_policy_document').map((d) => [d.name, d.body]));
  for (const { type, name, body } of resources) {
    const found: Array<{ attribute: string; text: string }> = [];
    policyAttributes(body, '', found);
    for (const { attribute, text } of found) {
      checkPolicyText(`${type}.${name}`, attribute, text, data, out);
    }
  }
  for (const { type, name, body } of dataSources) {
    if (type !== 'aws_iam_policy_document') {
      continue;
    }
    const address = `data.${type}.${name}`;
    blocks(body.statement).forEach((s, i) => {
      const problem = adminStatement(strings(s.actions), strings(s.not_actions), strings(s.resources), s.effect, strings(s.not_resources));
      if (problem) {
        out.push({ rule: 'iam-admin-statement', severity: 'error', address, message: `statement ${i} ${problem}` });
      }
    });
    // the documents it merges: another data source of the stack (checked on its own), or JSON text
    const { sources, overrides } = mergedDocuments(body);
    for (const { attribute, value } of [...sources, ...overrides]) {
      const text = typeof value === 'string' ? value.trim() : undefined;
      if (text !== undefined && (POLICY_DOCUMENT_REF.test(text) || isObject(readPolicyDocument(text)))) {
        checkPolicyText(address, attribute, text, data, out);
      } else {
        out.push({ rule: 'iam-policy-unreadable', severity: 'warning', address, field: attribute, message: `${attribute} is not a policy document the rules can read (${JSON.stringify(value).slice(0, 60)}...), so neither is this document; merge JSON text or aws_iam_policy_document data sources of the stack` });
      }
    }
  }

  for (const { type, name, body } of resources) {
    const address = `${type}.${name}`;
    if (type === 'aws_eks_cluster') {
      for (const vpc of blocks(body.vpc_config)) {
        if (vpc.endpoint_public_access === false || vpc.endpoint_public_access === 'false') {
          continue;
        }
        const cidrs = strings(vpc.public_access_cidrs);
        const open = cidrs.length === 0 ? '0.0.0.0/0 (no public_access_cidrs)' : tooOpen(cidrs);
        if (open !== undefined) {
          out.push({ rule: 'eks-public-endpoint-open', severity: 'error', address, message: `the public API endpoint is on and open to ${open}` });
        }
      }
    }
    if (type === 'aws_launch_template') {
      const metadata = blocks(body.metadata_options);
      if (metadata.some((m) => m.http_endpoint === 'disabled')) {
        continue; // no metadata endpoint at all
      }
      const tokens = metadata.map((m) => m.http_tokens);
      if (!tokens.includes('required')) {
        out.push({ rule: 'launch-template-imdsv1', severity: 'error', address, message: `metadata_options.http_tokens is ${JSON.stringify(tokens[0] ?? null)}; IMDSv2 needs "required"` });
      }
    }
  }

  checkS3(resources, data, out);
  checkEks(resources, out);
  checkLaunchTemplates(resources, out);
  checkKms(resources, out);
  checkIam(resources, dataSources, data, out);
  checkVpc(resources, out);
  checkEcr(resources, out);
  return out;
}

/** The default encryption rules of an SSE configuration (companion or inline block): algorithm and KMS key. */
function sseDefaults(config: Json): Array<{ algorithm: string; key: unknown }> {
  return valuesAt(config, 'rule.apply_server_side_encryption_by_default').filter(isObject)
    .filter((d) => typeof d.sse_algorithm === 'string').map((d) => ({ algorithm: d.sse_algorithm as string, key: d.kms_master_key_id }));
}

/** Whether a `kms_master_key_id` names a customer key: set, and not the AWS managed key `aws/s3`. */
const customerKey = (key: unknown) => typeof key === 'string' && key.trim() !== '' && !/(?:^|:)alias\/aws\/s3$/.test(key.trim());

const PUBLIC_ACCESS_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;

/** Whether a lifecycle rule's filter covers every object (no filter, or an empty prefix and nothing else). */
function wholeBucket(rule: Json): boolean {
  if (typeof rule.prefix === 'string' && rule.prefix !== '') {
    return false;
  }
  return blocks(rule.filter).every((f) => Object.keys(f).every((k) => k === 'prefix' && (f.prefix === '' || f.prefix === null)));
}

/** Whether a policy denies every S3 action to anyone over plain HTTP. */
function deniesInsecureTransport(statements: readonly PolicyStatementView[]): boolean {
  return statements.some((s) => s.effect === 'Deny'
    && anyPrincipal(s)
    && s.actions.some((a) => a === 's3:*' || a === '*')
    && s.conditions.some((c) => c.test === 'Bool' && c.variable === 'aws:securetransport' && c.values.length === 1 && c.values[0] === 'false'));
}

function checkS3(resources: readonly Resource[], data: ReadonlyMap<string, Json>, out: TerraformViolation[]): void {
  const buckets = resources.filter((r) => r.type === 'aws_s3_bucket');
  if (buckets.length === 0) {
    return;
  }
  const byLiteralName = new Map<string, string>();
  for (const b of buckets) {
    if (typeof b.body.bucket === 'string' && !b.body.bucket.includes('${')) {
      byLiteralName.set(b.body.bucket, b.name);
    }
  }
  const bucketOf = (value: unknown): string | undefined => referenced(value, 'aws_s3_bucket', ['id', 'bucket']) ?? (typeof value === 'string' ? byLiteralName.get(value) : undefined);
  const companions = (type: string, attribute = 'bucket') => {
    const map = new Map<string, Resource[]>();
    for (const r of resources.filter((x) => x.type === type)) {
      const bucket = bucketOf(r.body[attribute]);
      if (bucket !== undefined) {
        map.set(bucket, [...(map.get(bucket) ?? []), r]);
      }
    }
    return map;
  };
  const versioning = companions('aws_s3_bucket_versioning');
  const encryption = companions('aws_s3_bucket_server_side_encryption_configuration');
  const publicAccess = companions('aws_s3_bucket_public_access_block');
  const policies = companions('aws_s3_bucket_policy');
  const lifecycle = companions('aws_s3_bucket_lifecycle_configuration');
  const ownership = companions('aws_s3_bucket_ownership_controls');
  const logTargets = new Set([
    ...companions('aws_s3_bucket_logging', 'target_bucket').keys(),
    ...buckets.flatMap((b) => valuesAt(b.body, 'logging.target_bucket').map(bucketOf)).filter((n): n is string => n !== undefined),
  ]);
  const accountBlock = resources.some((r) => r.type === 'aws_s3_account_public_access_block' && PUBLIC_ACCESS_FLAGS.every((f) => isTrue(r.body[f])));

  for (const { name, body } of buckets) {
    const address = `aws_s3_bucket.${name}`;
    const push = (finding: { rule: string; field: string; message: string }) => out.push({ ...finding, severity: 'error', address });

    const statuses = (versioning.get(name) ?? []).flatMap((v) => valuesAt(v.body, 'versioning_configuration.status'));
    // Object Lock, chosen when the bucket is created, turns versioning on for good
    const objectLock = isTrue(body.object_lock_enabled) || valuesAt(body, 'object_lock_configuration.object_lock_enabled').includes('Enabled');
    if (!statuses.includes('Enabled') && !valuesAt(body, 'versioning.enabled').some(isTrue) && !objectLock) {
      push({ rule: 's3-versioning', field: 'aws_s3_bucket_versioning.versioning_configuration.status', message: statuses.length === 0
        ? 'no aws_s3_bucket_versioning; versioning keeps overwritten and deleted objects recoverable: status "Enabled"'
        : `versioning status is ${JSON.stringify(statuses[0])}; allowed: "Enabled"` });
    }

    const defaults = [...(encryption.get(name) ?? []).flatMap((e) => sseDefaults(e.body)), ...blocks(body.server_side_encryption_configuration).flatMap(sseDefaults)];
    const algorithms = defaults.map((d) => d.algorithm);
    const isKms = (a: string) => a === 'aws:kms' || a === 'aws:kms:dsse';
    const kms = defaults.some((d) => isKms(d.algorithm) && customerKey(d.key));
    const logDestination = logTargets.has(name) && algorithms.includes('AES256');
    if (!kms && !logDestination) {
      const awsManaged = defaults.find((d) => isKms(d.algorithm));
      push({
        rule: 's3-sse-kms',
        field: awsManaged ? 'aws_s3_bucket_server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.kms_master_key_id' : 'aws_s3_bucket_server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm',
        message: algorithms.length === 0
          ? 'no default encryption configured (S3 applies SSE-S3); allowed: "aws:kms" or "aws:kms:dsse" with a customer key (AES256 only on a server access log destination)'
          : awsManaged
            ? `default encryption is ${JSON.stringify(awsManaged.algorithm)} with ${awsManaged.key === undefined || awsManaged.key === null || awsManaged.key === '' ? 'no kms_master_key_id (the AWS managed key aws/s3)' : `the AWS managed key ${JSON.stringify(awsManaged.key)}`}; allowed: "aws:kms" or "aws:kms:dsse" with a customer key in kms_master_key_id (AES256 only on a server access log destination)`
            : `default encryption is ${algorithms.map((a) => JSON.stringify(a)).join(', ')}; allowed: "aws:kms" or "aws:kms:dsse" with a customer key (AES256 only on a server access log destination)`,
      });
    }

    if (!accountBlock) {
      const blocksOf = publicAccess.get(name) ?? [];
      const missing = PUBLIC_ACCESS_FLAGS.filter((f) => !blocksOf.some((b) => isTrue(b.body[f])));
      if (missing.length > 0) {
        push({ rule: 's3-public-access-block', field: 'aws_s3_bucket_public_access_block', message: blocksOf.length === 0
          ? 'no aws_s3_bucket_public_access_block (nor an aws_s3_account_public_access_block); allowed: all four of block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets true'
          : `${missing.join(', ')} not true; allowed: all four flags true` });
      }
    }

    const texts = [...(policies.get(name) ?? []).map((p) => p.body.policy), body.policy].filter((t) => t !== undefined);
    const read = texts.map((t) => statementsOf(t, data));
    // a policy the rules cannot read is reported as iam-policy-unreadable, not judged here
    if (!read.some((statements) => statements === undefined || deniesInsecureTransport(statements))) {
      push({ rule: 's3-tls-only', field: 'aws_s3_bucket_policy.policy', message: texts.length === 0
        ? 'no bucket policy; allowed: a policy that denies s3:* to any principal when aws:SecureTransport is "false"'
        : 'the bucket policy does not deny s3:* to any principal when aws:SecureTransport is "false"' });
    }

    const rules = (lifecycle.get(name) ?? []).flatMap((l) => blocks(l.body.rule));
    const aborts = rules.some((r) => r.status === 'Enabled' && wholeBucket(r) && blocks(r.abort_incomplete_multipart_upload).some((a) => a.days_after_initiation !== undefined && a.days_after_initiation !== null))
      || blocks(body.lifecycle_rule).some((r) => isTrue(r.enabled) && wholeBucket(r) && r.abort_incomplete_multipart_upload_days !== undefined);
    if (!aborts) {
      push({ rule: 's3-abort-incomplete-uploads', field: 'aws_s3_bucket_lifecycle_configuration.rule.abort_incomplete_multipart_upload', message: rules.length === 0
        ? 'no aws_s3_bucket_lifecycle_configuration; incomplete multipart uploads are billed until aborted: an enabled rule over the whole bucket with abort_incomplete_multipart_upload'
        : 'no enabled lifecycle rule over the whole bucket with abort_incomplete_multipart_upload.days_after_initiation' });
    }

    const owners = (ownership.get(name) ?? []).flatMap((o) => valuesAt(o.body, 'rule.object_ownership'));
    if (!owners.includes('BucketOwnerEnforced')) {
      push({ rule: 's3-ownership-enforced', field: 'aws_s3_bucket_ownership_controls.rule.object_ownership', message: owners.length === 0
        ? 'no aws_s3_bucket_ownership_controls; allowed: object_ownership "BucketOwnerEnforced" (ACLs disabled)'
        : `object_ownership is ${JSON.stringify(owners[0])}; allowed: "BucketOwnerEnforced" (ACLs disabled)` });
    }
  }
}

/** The control-plane log types EKS offers; the rule wants every one. */
const EKS_LOG_TYPES: readonly string[] = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

function checkEks(resources: readonly Resource[], out: TerraformViolation[]): void {
  for (const { name, body } of resources.filter((r) => r.type === 'aws_eks_cluster')) {
    const address = `aws_eks_cluster.${name}`;
    const encrypted = blocks(body.encryption_config).some((e) => strings(e.resources).includes('secrets') && blocks(e.provider).some((p) => typeof p.key_arn === 'string' && p.key_arn !== ''));
    if (!encrypted) {
      out.push({ rule: 'eks-secrets-encryption', severity: 'error', address, field: 'encryption_config', message: 'no encryption_config with resources ["secrets"] and a KMS key (provider.key_arn); Secrets must be envelope-encrypted with a customer key' });
    }
    const logs = strings(body.enabled_cluster_log_types);
    const missing = EKS_LOG_TYPES.filter((t) => !logs.includes(t));
    if (missing.length > 0) {
      out.push({ rule: 'eks-control-plane-logs', severity: 'error', address, field: 'enabled_cluster_log_types', message: `control-plane log types ${missing.join(', ')} are off; allowed: all of ${EKS_LOG_TYPES.join(', ')}` });
    }
    const support = blocks(body.upgrade_policy).map((u) => u.support_type).find((s) => typeof s === 'string' && s !== '');
    if (support === undefined) {
      out.push({ rule: 'eks-upgrade-policy', severity: 'error', address, field: 'upgrade_policy.support_type', message: 'upgrade_policy.support_type is unset (AWS defaults to EXTENDED, billed once the version leaves standard support); allowed: "STANDARD" or "EXTENDED", chosen explicitly' });
    }
  }
}

function checkLaunchTemplates(resources: readonly Resource[], out: TerraformViolation[]): void {
  // a managed node group without a launch template runs on the one EKS generates, with EKS's metadata options
  // (the hop limit of such nodes cannot be set)
  for (const { name } of resources.filter((r) => r.type === 'aws_eks_node_group' && blocks(r.body.launch_template).length === 0)) {
    const address = `aws_eks_node_group.${name}`;
    const message = 'no launch_template: the nodes run on the launch template EKS generates, whose metadata options the stack does not set; allowed: a launch template of the stack with http_tokens "required" and http_put_response_hop_limit 1';
    out.push({ rule: 'launch-template-imdsv1', severity: 'error', address, field: 'launch_template', message });
    out.push({ rule: 'launch-template-hop-limit', severity: 'error', address, field: 'launch_template', message });
  }
  for (const { name, body } of resources.filter((r) => r.type === 'aws_launch_template')) {
    const address = `aws_launch_template.${name}`;
    const metadata = blocks(body.metadata_options);
    if (metadata.some((m) => m.http_endpoint === 'disabled')) {
      continue;
    }
    const hops = metadata.map((m) => m.http_put_response_hop_limit).filter((h) => h !== undefined && h !== null);
    if (!hops.some((h) => h === 1 || h === '1')) {
      out.push({
        rule: 'launch-template-hop-limit', severity: 'error', address, field: 'metadata_options.http_put_response_hop_limit',
        message: `metadata_options.http_put_response_hop_limit is ${hops.length === 0 ? 'unset (the AMI\'s default applies: 2 on AMIs registered for IMDSv2, such as AL2023)' : JSON.stringify(hops[0])}; allowed: 1, so that pods cannot reach IMDS and the node's role`,
      });
    }
  }
}

function checkKms(resources: readonly Resource[], out: TerraformViolation[]): void {
  for (const { name, body } of resources.filter((r) => r.type === 'aws_kms_key')) {
    const spec = body.customer_master_key_spec ?? body.key_spec;
    if ((typeof spec === 'string' && spec !== 'SYMMETRIC_DEFAULT') || (typeof body.custom_key_store_id === 'string' && body.custom_key_store_id !== '')) {
      continue; // AWS rotates only symmetric keys of the AWS KMS key store
    }
    const rotation = body.enable_key_rotation;
    if (typeof rotation === 'string' && rotation.includes('${')) {
      out.push({ rule: 'kms-key-rotation', severity: 'warning', address: `aws_kms_key.${name}`, field: 'enable_key_rotation', message: `enable_key_rotation is the expression ${JSON.stringify(rotation)}, which the rule cannot read; allowed: true (yearly, or rotation_period_in_days)` });
    } else if (!isTrue(rotation)) {
      out.push({ rule: 'kms-key-rotation', severity: 'error', address: `aws_kms_key.${name}`, field: 'enable_key_rotation', message: `enable_key_rotation is ${JSON.stringify(body.enable_key_rotation ?? null)}; allowed: true (yearly, or rotation_period_in_days)` });
    }
  }
}

const ADMINISTRATOR_ACCESS = /:iam::aws:policy\/AdministratorAccess$/;

function checkIam(resources: readonly Resource[], dataSources: readonly Resource[], data: ReadonlyMap<string, Json>, out: TerraformViolation[]): void {
  const adminData = new Set(dataSources.filter((d) => d.type === 'aws_iam_policy' && (d.body.name === 'AdministratorAccess' || (typeof d.body.arn === 'string' && ADMINISTRATOR_ACCESS.test(d.body.arn)))).map((d) => d.name));
  const isAdmin = (arn: string) => ADMINISTRATOR_ACCESS.test(arn) || adminData.has(/^\$\{data\.aws_iam_policy\.([\w-]+)\.arn\}$/.exec(arn.trim())?.[1] ?? '');
  const attributes: Readonly<Record<string, string>> = {
    aws_iam_role_policy_attachment: 'policy_arn',
    aws_iam_user_policy_attachment: 'policy_arn',
    aws_iam_group_policy_attachment: 'policy_arn',
    aws_iam_policy_attachment: 'policy_arn',
    aws_iam_role: 'managed_policy_arns',
    aws_iam_role_policy_attachments_exclusive: 'policy_arns',
    aws_iam_user_policy_attachments_exclusive: 'policy_arns',
    aws_iam_group_policy_attachments_exclusive: 'policy_arns',
    aws_ssoadmin_managed_policy_attachment: 'managed_policy_arn',
  };
  for (const { type, name, body } of resources) {
    const attribute = attributes[type];
    if (attribute !== undefined && strings(body[attribute]).some(isAdmin)) {
      out.push({ rule: 'iam-administrator-access', severity: 'error', address: `${type}.${name}`, field: attribute, message: `${attribute} attaches the AWS managed policy AdministratorAccess; allowed: policies scoped to what the principal needs` });
    }
  }
  for (const { name, body } of resources.filter((r) => r.type === 'aws_iam_role')) {
    (statementsOf(body.assume_role_policy, data) ?? []).forEach((s, i) => {
      if (s.effect !== 'Allow') {
        return;
      }
      // an Allow by exclusion (NotPrincipal) trusts everyone but the principals it names
      if ((anyPrincipal(s) || s.notPrincipal === true) && !narrowed(s)) {
        out.push({
          rule: 'iam-public-trust', severity: 'error', address: `aws_iam_role.${name}`, field: `assume_role_policy.Statement[${i}]`,
          message: `assume_role_policy statement ${i} lets any principal ("*", any account's, or all but the NotPrincipal) assume the role; allowed: named principals, or "*" with a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount or aws:SourceArn`,
        });
        return;
      }
      const federation = openFederation(s);
      if (federation !== undefined) {
        out.push({
          rule: 'iam-public-trust', severity: 'error', address: `aws_iam_role.${name}`, field: `assume_role_policy.Statement[${i}].Condition`,
          message: `assume_role_policy statement ${i} trusts a web identity provider without naming who may assume the role: ${federation}; allowed: a StringEquals/StringLike condition on <provider>:sub naming the subjects (GitHub: repo:<org>/<repo>...; EKS: system:serviceaccount:<namespace>:<name>), or on cognito-identity.amazonaws.com:aud naming the identity pool`,
        });
      }
    });
  }
}

function checkVpc(resources: readonly Resource[], out: TerraformViolation[]): void {
  const vpcs = resources.filter((r) => r.type === 'aws_vpc');
  const flowLogged = new Set(resources.filter((r) => r.type === 'aws_flow_log').map((r) => referenced(r.body.vpc_id, 'aws_vpc', ['id'])));
  const defaultGroups = resources.filter((r) => r.type === 'aws_default_security_group');
  const closedFor = new Set(defaultGroups.map((g) => referenced(g.body.vpc_id, 'aws_vpc', ['id'])));
  for (const { name } of vpcs) {
    if (!flowLogged.has(name)) {
      out.push({ rule: 'vpc-flow-logs', severity: 'error', address: `aws_vpc.${name}`, field: 'aws_flow_log.vpc_id', message: 'no aws_flow_log points at this VPC; allowed: a flow log of the VPC (vpc_id)' });
    }
    if (!closedFor.has(name)) {
      out.push({ rule: 'vpc-default-security-group-closed', severity: 'error', address: `aws_vpc.${name}`, field: 'aws_default_security_group.vpc_id', message: 'the VPC\'s default security group is not managed (AWS opens it to itself and all egress); allowed: an aws_default_security_group of the VPC without rules' });
    }
  }
  for (const { name, body } of defaultGroups) {
    const rules = [...blocks(body.ingress).map(() => 'ingress'), ...blocks(body.egress).map(() => 'egress')];
    if (rules.length > 0) {
      out.push({ rule: 'vpc-default-security-group-closed', severity: 'error', address: `aws_default_security_group.${name}`, field: rules.includes('ingress') ? 'ingress' : 'egress', message: `the default security group has ${rules.length} rule(s) (${[...new Set(rules)].join(', ')}); allowed: none` });
    }
  }
  const defaultGroupNames = new Set(defaultGroups.map((g) => g.name));
  const vpcNames = new Set(vpcs.map((v) => v.name));
  for (const { type, name, body } of resources.filter((r) => ['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'].includes(r.type))) {
    const group = referenced(body.security_group_id, 'aws_default_security_group', ['id']);
    const vpc = referenced(body.security_group_id, 'aws_vpc', ['default_security_group_id']);
    if ((group !== undefined && defaultGroupNames.has(group)) || (vpc !== undefined && vpcNames.has(vpc))) {
      out.push({ rule: 'vpc-default-security-group-closed', severity: 'error', address: `${type}.${name}`, field: 'security_group_id', message: `adds a rule to the default security group (${String(body.security_group_id)}); allowed: none` });
    }
  }
  for (const { type, name, body } of resources) {
    if (type === 'aws_subnet' && isTrue(body.map_public_ip_on_launch)) {
      out.push({ rule: 'vpc-public-ip-on-launch', severity: 'error', address: `${type}.${name}`, field: 'map_public_ip_on_launch', message: 'map_public_ip_on_launch is true; allowed: false (instances get no public IP; load balancers and NAT gateways need none)' });
    }
    if (type === 'aws_launch_template') {
      blocks(body.network_interfaces).forEach((n, i) => {
        if (isTrue(n.associate_public_ip_address)) {
          out.push({ rule: 'vpc-public-ip-on-launch', severity: 'error', address: `${type}.${name}`, field: `network_interfaces[${i}].associate_public_ip_address`, message: `network_interfaces[${i}].associate_public_ip_address is true; allowed: false or unset` });
        }
      });
    }
  }
}

/**
 * Release tags, as the platform's images carry them (semantic versions, with or without a `v`): an exclusion filter
 * of `IMMUTABLE_WITH_EXCLUSION` that matches one of them makes the tags deployments pin mutable.
 */
const RELEASE_TAGS: readonly string[] = ['1.2.3', 'v1.2.3', '1.2.3-rc.1', 'v1.2.3-rc.1'];

/** Whether an ECR wildcard filter (`*` any characters) matches a repository name or a tag. */
function wildcardMatches(filter: string, repository: unknown): boolean {
  if (filter === '*') {
    return true;
  }
  if (typeof repository !== 'string' || repository.includes('${')) {
    return false;
  }
  return new RegExp(`^${filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(repository);
}

function checkEcr(resources: readonly Resource[], out: TerraformViolation[]): void {
  const registryRules = resources.filter((r) => r.type === 'aws_ecr_registry_scanning_configuration').flatMap((r) => blocks(r.body.rule))
    .filter((rule) => rule.scan_frequency === 'SCAN_ON_PUSH' || rule.scan_frequency === 'CONTINUOUS_SCAN');
  for (const { name, body } of resources.filter((r) => r.type === 'aws_ecr_repository')) {
    const address = `aws_ecr_repository.${name}`;
    const mutability = body.image_tag_mutability ?? 'MUTABLE';
    const filters = valuesAt(body, 'image_tag_mutability_exclusion_filter.filter').filter((f): f is string => typeof f === 'string');
    const everyTag = filters.find((f) => /^\*+$/.test(f.trim()));
    const releaseTags = filters.find((f) => f !== everyTag && RELEASE_TAGS.some((tag) => wildcardMatches(f.trim(), tag)));
    if (mutability !== 'IMMUTABLE' && !(mutability === 'IMMUTABLE_WITH_EXCLUSION' && everyTag === undefined && releaseTags === undefined)) {
      const exclusion = mutability !== 'IMMUTABLE_WITH_EXCLUSION' ? ''
        : everyTag !== undefined ? ` with the exclusion filter ${JSON.stringify(everyTag)} (every tag mutable)`
          : releaseTags !== undefined ? ` with the exclusion filter ${JSON.stringify(releaseTags)}, which matches release tags (such as ${RELEASE_TAGS.filter((t) => wildcardMatches(releaseTags.trim(), t)).join(', ')})` : '';
      out.push({
        rule: 'ecr-immutable-tags', severity: 'error', address, field: exclusion === '' ? 'image_tag_mutability' : 'image_tag_mutability_exclusion_filter',
        message: `image_tag_mutability is ${JSON.stringify(mutability)}${body.image_tag_mutability === undefined ? ' (the default)' : ''}${exclusion}; allowed: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" whose filters match no release tag (not only "*", not "v*")`,
      });
    }
    const onPush = valuesAt(body, 'image_scanning_configuration.scan_on_push').some(isTrue);
    const byRegistry = registryRules.some((rule) => blocks(rule.repository_filter).some((f) => typeof f.filter === 'string' && wildcardMatches(f.filter, body.name)));
    if (!onPush && !byRegistry) {
      out.push({ rule: 'ecr-scan-on-push', severity: 'error', address, field: 'image_scanning_configuration.scan_on_push', message: 'images are not scanned on push; allowed: image_scanning_configuration.scan_on_push true, or an aws_ecr_registry_scanning_configuration rule (SCAN_ON_PUSH or CONTINUOUS_SCAN) whose filter matches the repository' });
    }
  }
}

/** Renders violations one per line: `<stack>: <severity> <rule> <address>: <message>`. */
export function formatTerraformViolations(stackName: string, violations: readonly TerraformViolation[]): string {
  return violations.map((v) => `${stackName}: ${v.severity} ${v.rule} ${v.address}: ${v.message}`).join('\n');
}
