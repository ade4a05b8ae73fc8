/**
 * The base of every typed custom resource the library emits (Istio, prometheus-operator, Velero): an `ApiObject` with
 * a checked name and namespace and a spec typed by the resource's model interface (a type-only import, free at run
 * time). Argo CD applies these beside the add-on that installs their CRDs, so each carries
 * `SkipDryRunOnMissingResource=true`: a first sync's dry run must not fail on a kind the cluster does not know yet.
 * Private to lib/k8s.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { requireDns1123Label } from '../model/validation';

/** The annotation of Argo CD's per-object sync options. */
export const ARGO_CD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** What every custom resource shares: a group/version, a kind and a spec. */
export interface CustomResourceShape {
  readonly apiVersion: string;
  readonly kind: string;
  readonly spec?: object;
}

/** Metadata of a custom resource: an explicit, deterministic name and namespace. */
export interface CustomResourceMetadata {
  /** The object's name, a DNS-1123 label. */
  readonly name: string;
  /** The namespace it lives in, a DNS-1123 label. */
  readonly namespace: string;
  /** Labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Options of every typed custom resource: metadata and the spec, typed by the resource's interface. */
export interface CustomResourceProps<T extends CustomResourceShape> {
  /** Name, namespace, labels, annotations. */
  readonly metadata: CustomResourceMetadata;
  /** The spec, typed by the resource's model: a misspelled field is a compile error. */
  readonly spec: NonNullable<T['spec']>;
}

/** A typed custom resource: a thin `ApiObject` with a checked name and namespace and a typed spec. */
export abstract class TypedCustomResource<T extends CustomResourceShape> extends ApiObject {
  /** The spec as given (typed). */
  public readonly spec: NonNullable<T['spec']>;
  /** The object's namespace. */
  public readonly namespace: string;

  protected constructor(scope: Construct, id: string, apiVersion: T['apiVersion'], kind: T['kind'], props: CustomResourceProps<T>) {
    super(scope, id, {
      apiVersion,
      kind,
      metadata: {
        name: props.metadata.name,
        namespace: props.metadata.namespace,
        labels: props.metadata.labels ? { ...props.metadata.labels } : undefined,
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
