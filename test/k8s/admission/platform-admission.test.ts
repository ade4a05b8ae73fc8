/**
 * The admission policies the chart emits per environment: three ValidatingAdmissionPolicies and their bindings,
 * scoped to the platform's namespaces, auditing and warning by default and denying only with `enforce: true`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { platform } from '../../../apps/platform';
import { PlatformAdmission, ValidationAction } from '../../../lib/k8s/admission/platform-admission';
import { POD_ADMISSION_CONTROLS, POD_ADMISSION_POLICIES, POD_ADMISSION_RESOURCES } from '../../../lib/k8s/admission/pod-admission-rules';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { PodSecurityControl } from '../../../lib/policy/pod-security';

interface Obj { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> }
interface PolicySpec {
  failurePolicy: string;
  matchConstraints: { resourceRules: Array<{ apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[] }> };
  matchConditions: Array<{ name: string; expression: string }>;
  variables: Array<{ name: string; expression: string }>;
  validations: Array<{ expression: string; message: string }>;
}
interface BindingSpec {
  policyName: string;
  validationActions: string[];
  matchResources: { namespaceSelector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> } };
}

const ENVS = ['dev', 'staging', 'prod'];
const out: Record<string, Obj[]> = {};
let enforced: Obj[] = [];
let enforcedChart: PlatformChart;

beforeAll(() => {
  for (const env of ENVS) {
    out[env] = Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as Obj[];
  }
  enforcedChart = new PlatformChart(Testing.app(), 'prod', { platform, environment: 'prod', admission: { enforce: true } });
  enforced = Testing.synth(enforcedChart) as Obj[];
});

const policiesOf = (objects: Obj[]) => objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
const bindingsOf = (objects: Obj[]) => objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
const NAMES = ['eks-platform-pod-baseline', 'eks-platform-pod-restricted', 'eks-platform-pod-platform'];

describe.each(ENVS)('environment %s', (env) => {
  test('emits three cluster-scoped ValidatingAdmissionPolicies of admissionregistration.k8s.io/v1, each with one binding', () => {
    const policies = policiesOf(out[env]);
    const bindings = bindingsOf(out[env]);
    expect(policies.map((p) => p.metadata.name)).toEqual(NAMES);
    expect(bindings.map((b) => (b.spec as unknown as BindingSpec).policyName)).toEqual(NAMES);
    for (const o of [...policies, ...bindings]) {
      expect(o.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(o.metadata.namespace).toBeUndefined();
    }
  });

  test('binds in audit and warn, in the platform\'s namespaces only', () => {
    for (const b of bindingsOf(out[env])) {
      const spec = b.spec as unknown as BindingSpec;
      expect(spec.validationActions).toEqual(['Audit', 'Warn']);
      expect(spec.matchResources.namespaceSelector).toEqual({
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...platform.namespaces()].sort() }],
      });
    }
    expect([...platform.namespaces()].sort()).toEqual(['shop', 'shop-data']);
  });

  test('each binding comes after its policy in the output', () => {
    for (const name of NAMES) {
      const policy = out[env].findIndex((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === name);
      const binding = out[env].findIndex((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === name);
      expect(binding).toBeGreaterThan(policy);
    }
  });

  test('every policy and binding validates against kubernetes-models (admissionregistration.k8s.io/v1)', async () => {
    const { ValidatingAdmissionPolicy } = await import('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy');
    const { ValidatingAdmissionPolicyBinding } = await import('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding');
    const problems: string[] = [];
    for (const o of [...policiesOf(out[env]), ...bindingsOf(out[env])]) {
      const Model = o.kind === 'ValidatingAdmissionPolicy' ? ValidatingAdmissionPolicy : ValidatingAdmissionPolicyBinding;
      try {
        new Model(o as never).validate();
      } catch (err) {
        problems.push(`${o.kind} ${o.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the policies', () => {
  const policies = () => policiesOf(out.prod).map((p) => p.spec as unknown as PolicySpec);

  test('match pods and every workload kind with a pod template, on CREATE and UPDATE', () => {
    for (const spec of policies()) {
      expect(spec.failurePolicy).toBe('Fail');
      expect(spec.matchConstraints.resourceRules).toEqual([
        { apiGroups: [''], apiVersions: ['*'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'], operations: ['CREATE', 'UPDATE'] },
        { apiGroups: ['apps'], apiVersions: ['*'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], operations: ['CREATE', 'UPDATE'] },
        { apiGroups: ['batch'], apiVersions: ['*'], resources: ['jobs', 'cronjobs'], operations: ['CREATE', 'UPDATE'] },
      ]);
      expect(spec.matchConditions.map((c) => c.name)).toEqual(['pod-spec-changed-or-not-a-pod-update']);
    }
    expect(POD_ADMISSION_RESOURCES).toHaveLength(9);
  });

  test('reach the pod spec of each kind through variables', () => {
    for (const spec of policies()) {
      expect(spec.variables[0]).toEqual({
        name: 'podSpec',
        expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
      });
      expect(spec.variables.map((v) => v.name)).toEqual(['podSpec', 'containers', 'initContainers', 'ephemeralContainers', 'allContainers', 'podSeccompType', 'podRunAsNonRoot', 'podRunAsRoot', 'podAnnotations']);
      // the pod template's annotations (AppArmor's beta annotations), guarded: a template may have no metadata
      const annotations = spec.variables.find((v) => v.name === 'podAnnotations')?.expression ?? '';
      for (const at of ['object.metadata.annotations', 'object.spec.jobTemplate.spec.template.metadata.annotations', 'object.spec.template.metadata.annotations']) {
        expect(annotations).toContain(`has(${at}) ? ${at} : {}`);
      }
    }
  });

  test('name the gate\'s rule id at the start of every message, one family per policy', () => {
    const rules = Object.values(PodSecurityControl) as string[];
    const families = ['baseline/', 'restricted/', 'platform/'];
    policies().forEach((spec, i) => {
      for (const v of spec.validations) {
        const rule = v.message.slice(0, v.message.indexOf(':'));
        expect(rules).toContain(rule);
        expect(rule.startsWith(families[i])).toBe(true);
      }
    });
    expect(policies().flatMap((s) => s.validations.map((v) => v.message.slice(0, v.message.indexOf(':'))))).toEqual([...POD_ADMISSION_CONTROLS]);
    expect(POD_ADMISSION_POLICIES.map((p) => p.validations.length)).toEqual([12, 6, 2]);
  });
});

describe('rollout', () => {
  test('deny only with admission: { enforce: true }, the second step', () => {
    for (const b of bindingsOf(enforced)) {
      expect((b.spec as unknown as BindingSpec).validationActions).toEqual(['Deny']);
    }
    expect(enforcedChart.admission!.enforce).toBe(true);
    expect(enforcedChart.admission!.validationActions).toEqual([ValidationAction.DENY]);
    expect(policiesOf(enforced)).toEqual(policiesOf(out.prod));
  });

  test('the chart exposes its admission construct with the defaults resolved', () => {
    const chart = new PlatformChart(Testing.app(), 'dev', { platform, environment: 'dev' });
    expect(chart.admission!.enforce).toBe(false);
    expect(chart.admission!.validationActions).toEqual([ValidationAction.AUDIT, ValidationAction.WARN]);
    expect(chart.admission!.namespaces).toEqual(['shop', 'shop-data']);
    expect([...chart.admission!.policies.keys()]).toEqual(NAMES);
  });
});

describe('PlatformAdmission on its own', () => {
  test('takes a name prefix and removes duplicate namespaces', () => {
    const chart = new Chart(Testing.app(), 'c');
    const admission = new PlatformAdmission(chart, 'Admission', { namespaces: ['b', 'a', 'b'], namePrefix: 'erp' });
    const objects = Testing.synth(chart) as Obj[];
    expect(policiesOf(objects).map((p) => p.metadata.name)).toEqual(['erp-pod-baseline', 'erp-pod-restricted', 'erp-pod-platform']);
    expect(admission.namespaces).toEqual(['a', 'b']);
  });

  test('fails without a namespace, or with a name prefix that is not a DNS-1123 label', () => {
    expect(() => new PlatformAdmission(new Chart(Testing.app(), 'c'), 'A', { namespaces: [] })).toThrow('c/A: namespaces is []; allowed: at least one namespace');
    expect(() => new PlatformAdmission(new Chart(Testing.app(), 'c'), 'A', { namespaces: ['a'], namePrefix: 'Bad_Prefix' })).toThrow('c/A: namePrefix is "Bad_Prefix"; allowed: a DNS-1123 label');
  });
});

describe('docs/policy.md, "In the cluster: admission policies"', () => {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'policy.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## In the cluster: admission policies'));

  test('names every policy with the rules it covers, and every other rule of the gate as not covered', () => {
    expect(docs.includes('## In the cluster: admission policies')).toBe(true);
    const [covered, notCovered] = section.split('### Not in admission');
    for (const def of POD_ADMISSION_POLICIES) {
      const row = covered.split('\n').find((l) => l.startsWith(`| \`eks-platform-${def.nameSuffix}\` |`)) ?? '';
      expect(row.match(/`[a-z]+\/[a-z-]+`/g)).toEqual(def.validations.map((v) => `\`${v.control}\``));
    }
    const others = (Object.values(PodSecurityControl) as PodSecurityControl[]).filter((c) => !POD_ADMISSION_CONTROLS.includes(c));
    expect(others.filter((c) => !notCovered.includes(`\`${c}\``))).toEqual([]);
  });
});
