/**
 * Rules over a synthesized Terraform JSON stack (`cdk.tf.json`, parsed): plain JSON in, violations out.
 * Imports no cdktf, so the gate can run it on files.
 *
 * - `iam-admin-statement`: an IAM policy document (inline role/user/group policies, `aws_iam_policy`,
 *   KMS key policies, bucket policies: any `policy` attribute, and `aws_iam_policy_document` data
 *   sources) with an Allow statement of action `*` / `*:*` (or any `NotAction`) on resource `*`.
 * - `iam-policy-unreadable` (warning): a policy the rule cannot read (an HCL expression such as
 *   `jsonencode(...)` rather than JSON text or a reference to a policy-document data source).
 * - `eks-public-endpoint-open`: an EKS cluster whose public endpoint is on (Terraform's default) and
 *   open to a /0 (no `public_access_cidrs` means 0.0.0.0/0).
 * - `launch-template-imdsv1`: a launch template without `metadata_options.http_tokens = "required"`.
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

/** Whether a statement allows everything on everything (or nearly, through NotAction). */
function adminStatement(actions: string[], notActions: string[], resources: string[], effect: unknown): string | undefined {
  if ((effect ?? 'Allow') !== 'Allow' || !resources.includes('*')) {
    return undefined;
  }
  if (actions.some(isAdminAction)) {
    return `allows action ${JSON.stringify(actions.find(isAdminAction))} on resource "*"`;
  }
  if (notActions.length > 0) {
    return `allows every action except ${JSON.stringify(notActions)} on resource "*"`;
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
function checkPolicyText(address: string, attribute: string, text: string, out: TerraformViolation[]): void {
  const trimmed = text.trim();
  if (/^\$\{data\.aws_iam_policy_document\.[\w-]+\.(json|minified_json)\}$/.test(trimmed)) {
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
    const problem = adminStatement(strings(s.Action), strings(s.NotAction), strings(s.Resource), s.Effect);
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

/** Checks a parsed `cdk.tf.json`. Order is deterministic: by rule family, then address. */
export function checkTerraformStack(stack: unknown): TerraformViolation[] {
  const out: TerraformViolation[] = [];
  if (!isObject(stack)) {
    return out;
  }
  const resources = entries(stack, 'resource');

  for (const { type, name, body } of resources) {
    const found: Array<{ attribute: string; text: string }> = [];
    policyAttributes(body, '', found);
    for (const { attribute, text } of found) {
      checkPolicyText(`${type}.${name}`, attribute, text, out);
    }
  }
  for (const { type, name, body } of entries(stack, 'data')) {
    if (type !== 'aws_iam_policy_document') {
      continue;
    }
    blocks(body.statement).forEach((s, i) => {
      const problem = adminStatement(strings(s.actions), strings(s.not_actions), strings(s.resources), s.effect);
      if (problem) {
        out.push({ rule: 'iam-admin-statement', severity: 'error', address: `data.${type}.${name}`, message: `statement ${i} ${problem}` });
      }
    });
  }

  for (const { type, name, body } of resources) {
    const address = `${type}.${name}`;
    if (type === 'aws_eks_cluster') {
      for (const vpc of blocks(body.vpc_config)) {
        if (vpc.endpoint_public_access === false || vpc.endpoint_public_access === 'false') {
          continue;
        }
        const cidrs = strings(vpc.public_access_cidrs);
        const open = cidrs.length === 0 ? ['0.0.0.0/0 (no public_access_cidrs)'] : cidrs.filter((c) => /\/0$/.test(c.trim()));
        if (open.length > 0) {
          out.push({ rule: 'eks-public-endpoint-open', severity: 'error', address, message: `the public API endpoint is on and open to ${open.join(', ')}` });
        }
      }
    }
    if (type === 'aws_launch_template') {
      const tokens = blocks(body.metadata_options).map((m) => m.http_tokens);
      if (!tokens.includes('required')) {
        out.push({ rule: 'launch-template-imdsv1', severity: 'error', address, message: `metadata_options.http_tokens is ${JSON.stringify(tokens[0] ?? null)}; IMDSv2 needs "required"` });
      }
    }
  }
  return out;
}

/** Renders violations one per line: `<stack>: <severity> <rule> <address>: <message>`. */
export function formatTerraformViolations(stackName: string, violations: readonly TerraformViolation[]): string {
  return violations.map((v) => `${stackName}: ${v.severity} ${v.rule} ${v.address}: ${v.message}`).join('\n');
}
