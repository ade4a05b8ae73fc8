/**
 * The base of the typed Istio constructs: a {@link TypedCustomResource} whose spec is typed by an interface of
 * `@kubernetes-models/istio`. Private to lib/k8s/mesh.
 */
import { TypedCustomResource, type CustomResourceMetadata, type CustomResourceProps, type CustomResourceShape } from '../_custom-resource';

export { ARGO_CD_SYNC_OPTIONS } from '../_custom-resource';

/** What every Istio object shares: a group/version, a kind and a spec. */
export type IstioResourceShape = CustomResourceShape;
/** Metadata of an Istio object: an explicit, deterministic name and namespace. */
export type IstioObjectMetadata = CustomResourceMetadata;
/** Options of every typed Istio construct: metadata and the spec, typed by the Istio interface. */
export type IstioObjectProps<T extends IstioResourceShape> = CustomResourceProps<T>;

/** A typed Istio object (applied with istio-base, which installs its CRDs). */
export abstract class IstioObject<T extends IstioResourceShape> extends TypedCustomResource<T> {}
