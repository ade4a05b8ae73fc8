/**
 * The base of the typed prometheus-operator constructs: an `ApiObject` whose spec is typed by an interface of
 * `@kubernetes-models/prometheus-operator` (a type-only import, free at run time), as lib/k8s/mesh does for Istio.
 * Private to lib/k8s/observability.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { requireDns1123Label } from '../../model/validation';
import { ARGO_CD_SYNC_OPTIONS } from '../mesh/_istio-object';

/** What every prometheus-operator object shares: a group/version, a kind and a spec. */
export interface MonitoringResourceShape {
  readonly apiVersion: string;
  readonly kind: string;
  readonly spec?: object;
}

/** Metadata of a prometheus-operator object: an explicit, deterministic name and namespace. */
export interface MonitoringObjectMetadata {
  /** The object's name, a DNS-1123 label. */
  readonly name: string;
  /** The namespace it lives in, a DNS-1123 label. */
  readonly namespace: string;
  /** Labels (the Prometheus selector's among them). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Options of every typed prometheus-operator construct: metadata and the spec, typed by the package's interface. */
export interface MonitoringObjectProps<T extends MonitoringResourceShape> {
  /** Name, namespace, labels, annotations. */
  readonly metadata: MonitoringObjectMetadata;
  /** The spec, typed by `@kubernetes-models/prometheus-operator`: a misspelled field is a compile error. */
  readonly spec: NonNullable<T['spec']>;
}

/** A typed prometheus-operator object: a thin `ApiObject` with a checked name and a typed spec. */
export abstract class MonitoringObject<T extends MonitoringResourceShape> extends ApiObject {
  /** The spec as given (typed). */
  public readonly spec: NonNullable<T['spec']>;
  /** The object's namespace. */
  public readonly namespace: string;

  protected constructor(scope: Construct, id: string, apiVersion: T['apiVersion'], kind: T['kind'], props: MonitoringObjectProps<T>) {
    super(scope, id, {
      apiVersion,
      kind,
      metadata: {
        name: props.metadata.name,
        namespace: props.metadata.namespace,
        labels: props.metadata.labels ? { ...props.metadata.labels } : undefined,
        // the CRDs come with the cluster's kube-prometheus-stack: a first sync's dry run must not fail on a kind the
        // cluster does not know yet
        annotations: { [ARGO_CD_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true', ...(props.metadata.annotations ?? {}) },
      },
      spec: props.spec,
    });
    requireDns1123Label(this.node.path, 'metadata.name', props.metadata.name);
    requireDns1123Label(this.node.path, 'metadata.namespace', props.metadata.namespace);
    this.spec = props.spec;
    this.namespace = props.metadata.namespace;
  }
}
