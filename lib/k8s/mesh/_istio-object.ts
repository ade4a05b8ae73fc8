/**
 * The base of the typed Istio constructs: an `ApiObject` whose spec is typed by an interface of
 * `@kubernetes-models/istio` (a type-only import, free at run time). Private to lib/k8s/mesh.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { requireDns1123Label } from '../../model/validation';

/** What every Istio object shares: a group/version, a kind and a spec. */
export interface IstioResourceShape {
  readonly apiVersion: string;
  readonly kind: string;
  readonly spec?: object;
}

/** Metadata of an Istio object: an explicit, deterministic name and namespace. */
export interface IstioObjectMetadata {
  /** The object's name, a DNS-1123 label. */
  readonly name: string;
  /** The namespace it lives in, a DNS-1123 label. */
  readonly namespace: string;
  /** Labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The annotation of Argo CD's per-object sync options. */
export const ARGO_CD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** Options of every typed Istio construct: metadata and the spec, typed by the Istio interface. */
export interface IstioObjectProps<T extends IstioResourceShape> {
  /** Name, namespace, labels, annotations. */
  readonly metadata: IstioObjectMetadata;
  /** The spec, typed by `@kubernetes-models/istio`: a misspelled field is a compile error. */
  readonly spec: NonNullable<T['spec']>;
}

/** A typed Istio object: a thin `ApiObject` with a checked name and a typed spec. */
export abstract class IstioObject<T extends IstioResourceShape> extends ApiObject {
  /** The spec as given (typed). */
  public readonly spec: NonNullable<T['spec']>;
  /** The object's namespace. */
  public readonly namespace: string;

  protected constructor(scope: Construct, id: string, apiVersion: T['apiVersion'], kind: T['kind'], props: IstioObjectProps<T>) {
    super(scope, id, {
      apiVersion,
      kind,
      metadata: {
        name: props.metadata.name,
        namespace: props.metadata.namespace,
        labels: props.metadata.labels ? { ...props.metadata.labels } : undefined,
        // Argo CD applies these with the add-on that installs their CRDs (istio-base): on a first sync, its dry run
        // must not fail on a kind the cluster does not know yet
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
