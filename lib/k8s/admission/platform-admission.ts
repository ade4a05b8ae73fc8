/**
 * The gate's pod rules in the cluster: native ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, GA
 * since Kubernetes 1.30, no controller to install) and their bindings, scoped to the platform's namespaces.
 * Rolled out in two steps: audit and warn first (the default), deny once the audit is clean (`enforce: true`).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { IValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy' with { 'resolution-mode': 'import' };
import type { IValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding' with { 'resolution-mode': 'import' };
import { requireDns1123Label, ValidationError } from '../../model/validation';
import { NAMESPACE_NAME_LABEL } from '../network-policies';
import {
  POD_ADMISSION_MATCH_CONDITION,
  POD_ADMISSION_POLICIES,
  POD_ADMISSION_RESOURCES,
  POD_ADMISSION_VARIABLES,
} from './pod-admission-rules';

/** What the API server does with a request that breaks a validation (a binding's `validationActions`). */
export enum ValidationAction {
  /** Refuse the request. */
  DENY = 'Deny',
  /** Record the failure in the request's audit event (annotation `validation.policy.admission.k8s.io/validation_failure`). */
  AUDIT = 'Audit',
  /** Return the failure to the client as a warning (kubectl prints it; Argo CD shows it in the sync result). */
  WARN = 'Warn',
}

/** Options of the admission policies a {@link PlatformChart} emits (its `admission` prop). */
export interface PlatformAdmissionOptions {
  /**
   * The second step of the rollout: refuse what breaks a rule (`validationActions: [Deny]`). Turn it on once the
   * audit log and the warnings of the first step show no failure.
   * @default false: `validationActions: [Audit, Warn]`, nothing is refused
   */
  readonly enforce?: boolean;
  /**
   * The prefix of the policies' and bindings' names (`<prefix>-pod-baseline`, `-pod-restricted`, `-pod-platform`).
   * @default 'eks-platform'
   */
  readonly namePrefix?: string;
}

/** Options for a {@link PlatformAdmission}. */
export interface PlatformAdmissionProps extends PlatformAdmissionOptions {
  /** The namespaces the bindings select (by `kubernetes.io/metadata.name`): the platform's, `platform.namespaces()`. */
  readonly namespaces: readonly string[];
}

/** One policy and its binding. */
export interface AdmissionPolicyPair {
  /** The ValidatingAdmissionPolicy (id `<suffix>`). */
  readonly policy: ApiObject;
  /** Its ValidatingAdmissionPolicyBinding (id `<suffix>-binding`). */
  readonly binding: ApiObject;
}

/** The ValidatingAdmissionPolicies of the gate's pod rules, with their bindings. */
export class PlatformAdmission extends Construct {
  /** Whether the bindings deny. */
  public readonly enforce: boolean;
  /** The bindings' `validationActions`. */
  public readonly validationActions: readonly ValidationAction[];
  /** The namespaces the bindings select, sorted. */
  public readonly namespaces: readonly string[];
  public readonly namePrefix: string;
  /** The policies and bindings, by policy name. */
  public readonly policies: ReadonlyMap<string, AdmissionPolicyPair>;

  constructor(scope: Construct, id: string, props: PlatformAdmissionProps) {
    super(scope, id);
    const path = this.node.path;
    this.enforce = props.enforce ?? false;
    this.validationActions = this.enforce ? [ValidationAction.DENY] : [ValidationAction.AUDIT, ValidationAction.WARN];
    this.namePrefix = props.namePrefix ?? 'eks-platform';
    requireDns1123Label(path, 'namePrefix', this.namePrefix);
    if (props.namespaces.length === 0) {
      throw new ValidationError(path, 'namespaces', props.namespaces, 'allowed: at least one namespace (a binding with an empty `In` selector is invalid)');
    }
    for (const ns of props.namespaces) {
      requireDns1123Label(path, 'namespaces', ns);
    }
    this.namespaces = [...new Set(props.namespaces)].sort();

    const resourceRules = groupByApiGroup().map(([apiGroup, resources]) => ({
      apiGroups: [apiGroup],
      apiVersions: ['*'],
      resources,
      operations: ['CREATE', 'UPDATE'] as Array<'CREATE' | 'UPDATE'>,
    }));

    const policies = new Map<string, AdmissionPolicyPair>();
    for (const def of POD_ADMISSION_POLICIES) {
      const name = `${this.namePrefix}-${def.nameSuffix}`;
      const policyManifest: IValidatingAdmissionPolicy = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name },
        spec: {
          // an expression that fails to evaluate counts as a failed validation, handled by the binding's actions
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules },
          matchConditions: [{ ...POD_ADMISSION_MATCH_CONDITION }],
          variables: POD_ADMISSION_VARIABLES.map((v) => ({ ...v })),
          validations: def.validations.map((v) => ({ expression: v.expression, message: v.message })),
        },
      };
      const bindingManifest: IValidatingAdmissionPolicyBinding = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name },
        spec: {
          policyName: name,
          validationActions: [...this.validationActions],
          matchResources: {
            namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...this.namespaces] }] },
          },
        },
      };
      const policy = new ApiObject(this, def.nameSuffix, policyManifest);
      const binding = new ApiObject(this, `${def.nameSuffix}-binding`, bindingManifest);
      // the binding names its policy: apply the policy first
      binding.node.addDependency(policy);
      policies.set(name, { policy, binding });
    }
    this.policies = policies;
  }
}

/** The matched resources grouped by API group, in the order of POD_ADMISSION_RESOURCES. */
function groupByApiGroup(): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const r of POD_ADMISSION_RESOURCES) {
    groups.set(r.apiGroup, [...(groups.get(r.apiGroup) ?? []), r.resource]);
  }
  return [...groups.entries()];
}
