/**
 * Evaluates a ValidatingAdmissionPolicy as the API server does, with @marcbachmann/cel-js: the match conditions,
 * then the variables in order (each sees the earlier ones as `variables.<name>`), then every validation, all with
 * `object` bound to the object under admission. An expression that fails to evaluate throws: with the policies'
 * `failurePolicy: Fail` it would count as a failure in the cluster, and no fixture may provoke one.
 */
interface Expression { name?: string; expression: string; message?: string }
export interface PolicyLike {
  metadata: { name: string };
  spec: {
    matchConditions?: Expression[];
    variables?: Expression[];
    validations: Expression[];
  };
}

/** The verdict of one policy on one object. */
export interface PolicyVerdict {
  /** False when a match condition is false: the policy does not judge the request. */
  matched: boolean;
  /** The messages of the validations that returned false. */
  failures: string[];
}

type Evaluate = (expression: string, context: Record<string, unknown>) => unknown;
let evaluateFn: Evaluate | undefined;

/** Loads the ESM-only engine (needs NODE_OPTIONS=--experimental-vm-modules under Jest). */
export async function loadCel(): Promise<void> {
  const cel = await import('@marcbachmann/cel-js');
  evaluateFn = cel.evaluate as Evaluate;
}

function evaluate(expression: string, context: Record<string, unknown>, what: string): unknown {
  if (!evaluateFn) throw new Error('call loadCel() first');
  try {
    return evaluateFn(expression, context);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

/** Runs one policy on one request (CREATE unless an old object is given). */
export function evaluatePolicy(policy: PolicyLike, object: unknown, oldObject: unknown = null): PolicyVerdict {
  const request = { operation: oldObject === null ? 'CREATE' : 'UPDATE' };
  const where = (e: Expression) => `${policy.metadata.name} ${e.name ?? e.message}`;
  for (const c of policy.spec.matchConditions ?? []) {
    const ok = evaluate(c.expression, { object, oldObject, request }, where(c));
    if (typeof ok !== 'boolean') throw new Error(`${where(c)}: returned ${String(ok)}, not a bool`);
    if (!ok) return { matched: false, failures: [] };
  }
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables ?? []) {
    variables[v.name as string] = evaluate(v.expression, { object, oldObject, request, variables }, where(v));
  }
  const failures: string[] = [];
  for (const v of policy.spec.validations) {
    const ok = evaluate(v.expression, { object, oldObject, request, variables }, where(v));
    if (typeof ok !== 'boolean') throw new Error(`${where(v)}: returned ${String(ok)}, not a bool`);
    if (!ok) failures.push(v.message ?? v.expression);
  }
  return { matched: true, failures };
}
