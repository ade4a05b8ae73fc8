/**
 * The base of the typed prometheus-operator constructs: a {@link TypedCustomResource} whose spec is typed by an
 * interface of `@kubernetes-models/prometheus-operator`. Private to lib/k8s/observability.
 */
import { TypedCustomResource, type CustomResourceMetadata, type CustomResourceProps, type CustomResourceShape } from '../_custom-resource';

/** What every prometheus-operator object shares: a group/version, a kind and a spec. */
export type MonitoringResourceShape = CustomResourceShape;
/** Metadata of a prometheus-operator object (its labels carry the Prometheus selector's). */
export type MonitoringObjectMetadata = CustomResourceMetadata;
/** Options of every typed prometheus-operator construct: metadata and the spec, typed by the package's interface. */
export type MonitoringObjectProps<T extends MonitoringResourceShape> = CustomResourceProps<T>;

/** A typed prometheus-operator object (applied with kube-prometheus-stack, which installs its CRDs). */
export abstract class MonitoringObject<T extends MonitoringResourceShape> extends TypedCustomResource<T> {}
