/**
 * The rule `prometheus/rule`: every PrometheusRule's rules are what Prometheus loads. Each `expr` parses as PromQL
 * (Prometheus's own grammar: `@prometheus-io/lezer-promql`, the parser of Prometheus's web UI, which marks a syntax
 * error with an error node), each `for`/`keep_firing_for` is a Prometheus duration, each `alert` and `record` name a
 * metric name, each label and annotation key a label name. One place for the rule: the PrometheusRule construct
 * refuses at construction with it, the gate and `eks-platform check` judge every PrometheusRule of the output with it
 * (a user's own, added with `extendChart`, included). What the parser cannot know (functions' argument types, that the
 * metrics exist) is left to `promtool check rules` in the tests and to Prometheus.
 */
/** The rule id. */
export const PROMETHEUS_RULE = 'prometheus/rule';

const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What the rule uses of lezer's parser and syntax tree. */
interface PromQLParser {
  parse(input: string): { iterate(spec: { enter: (node: { readonly type: { readonly isError: boolean }; readonly from: number }) => boolean | void }): void };
}
let parser: PromQLParser | undefined;
/** Expressions already judged: the construct and then the gate judge each expression of a synth; it is parsed once. */
const judged = new Map<string, string | undefined>();
const JUDGED_MAX = 10_000;

/** Why Prometheus would not parse `expr`, or undefined when it parses. */
export function promqlProblem(expr: string): string | undefined {
  if (judged.has(expr)) {
    return judged.get(expr);
  }
  if (judged.size >= JUDGED_MAX) {
    judged.clear();
  }
  const problem = parse(expr);
  judged.set(expr, problem);
  return problem;
}

function parse(expr: string): string | undefined {
  if (expr.trim() === '') {
    return 'an empty expression';
  }
  // loaded on first use: a synth without monitoring never pays for it
  parser ??= (require('@prometheus-io/lezer-promql') as { parser: PromQLParser }).parser;
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter: (node) => {
      if (at === undefined && node.type.isError) {
        at = node.from;
      }
      return at === undefined;
    },
  });
  if (at === undefined) {
    return undefined;
  }
  const near = expr.slice(Math.max(0, at - 10), at + 10);
  return `a syntax error at offset ${at}, near ${JSON.stringify(near)}`;
}

/** Whether `value` is a Prometheus duration (`5m`, `1h30m`, `90s`), not empty and not zero-length text. */
export function isPrometheusDuration(value: string): boolean {
  return value !== '' && DURATION.test(value);
}

/** One problem of a rule, with the field (from the PrometheusRule's root) and what is allowed. */
export interface PrometheusRuleProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problems of a PrometheusRule's `spec`, each with its field (`spec.groups[0].rules[2].expr`). */
export function prometheusRuleProblems(spec: unknown): PrometheusRuleProblem[] {
  const out: PrometheusRuleProblem[] = [];
  const groups = isObject(spec) && Array.isArray(spec.groups) ? spec.groups : [];
  groups.forEach((group, g) => {
    const rules = isObject(group) && Array.isArray(group.rules) ? group.rules : [];
    if (isObject(group) && typeof group.interval === 'string' && !isPrometheusDuration(group.interval)) {
      out.push({ field: `spec.groups[${g}].interval`, value: group.interval, allowed: 'a Prometheus duration such as 1m' });
    }
    rules.forEach((rule, r) => {
      if (!isObject(rule)) {
        return;
      }
      const at = (f: string) => `spec.groups[${g}].rules[${r}].${f}`;
      const expr = typeof rule.expr === 'string' ? rule.expr : typeof rule.expr === 'number' ? String(rule.expr) : undefined;
      const problem = expr === undefined ? 'no expression' : promqlProblem(expr);
      if (problem !== undefined) {
        out.push({ field: at('expr'), value: rule.expr, allowed: `a PromQL expression Prometheus parses; this is ${problem}` });
      }
      for (const key of ['alert', 'record'] as const) {
        if (rule[key] !== undefined && (typeof rule[key] !== 'string' || !METRIC_NAME.test(rule[key] as string))) {
          out.push({ field: at(key), value: rule[key], allowed: 'a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)' });
        }
      }
      if ((rule.alert === undefined) === (rule.record === undefined)) {
        out.push({ field: at('alert'), value: rule.alert ?? rule.record, allowed: 'exactly one of alert (an alerting rule) and record (a recording rule)' });
      }
      for (const key of ['for', 'keep_firing_for'] as const) {
        if (rule[key] !== undefined && (typeof rule[key] !== 'string' || !isPrometheusDuration(rule[key] as string))) {
          out.push({ field: at(key), value: rule[key], allowed: 'a Prometheus duration such as 5m or 1h30m' });
        }
      }
      for (const map of ['labels', 'annotations'] as const) {
        const entries = isObject(rule[map]) ? Object.keys(rule[map] as Json) : [];
        for (const key of entries) {
          if (!LABEL_NAME.test(key) || key.startsWith('__')) {
            out.push({ field: at(`${map}.${key}`), value: key, allowed: 'a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)' });
          }
        }
      }
    });
  });
  return out;
}

/** A broken rule of a PrometheusRule object of the output. */
export interface PrometheusRuleFinding extends PrometheusRuleProblem {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The findings of {@link prometheusRuleProblems} over every PrometheusRule (`monitoring.coreos.com/*`) of `objects`. */
export function checkPrometheusRules(objects: readonly unknown[]): PrometheusRuleFinding[] {
  const out: PrometheusRuleFinding[] = [];
  for (const o of objects) {
    if (!isObject(o) || o.kind !== 'PrometheusRule' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('monitoring.coreos.com/')) {
      continue;
    }
    const metadata = isObject(o.metadata) ? o.metadata : {};
    for (const p of prometheusRuleProblems(o.spec)) {
      out.push({ ...p, kind: 'PrometheusRule', namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined, name: String(metadata.name ?? '') });
    }
  }
  return out;
}
