import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";

/**
 * VolumeSnapshotLocation is a location where Velero stores volume snapshots.
 */
export interface IVolumeSnapshotLocation {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   * Servers should convert recognized schemas to the latest internal value, and
   * may reject unrecognized values.
   * More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  "apiVersion": "velero.io/v1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   * Servers may infer this from the endpoint the client submits requests to.
   * Cannot be updated.
   * In CamelCase.
   * More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  "kind": "VolumeSnapshotLocation";
  "metadata"?: IObjectMeta;
  /**
   * VolumeSnapshotLocationSpec defines the specification for a Velero VolumeSnapshotLocation.
   */
  "spec"?: {
    /**
     * Config is for provider-specific configuration fields.
     */
    "config"?: {
      [key: string]: string;
    };
    /**
     * Credential contains the credential information intended to be used with this location
     */
    "credential"?: {
      /**
       * The key of the secret to select from.  Must be a valid secret key.
       */
      "key": string;
      /**
       * Name of the referent.
       * This field is effectively required, but due to backwards compatibility is
       * allowed to be empty. Instances of this type with an empty value here are
       * almost certainly wrong.
       * More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
       */
      "name"?: string;
      /**
       * Specify whether the Secret or its key must be defined
       */
      "optional"?: boolean;
    };
    /**
     * Provider is the provider of the volume storage.
     */
    "provider": string;
  };
  /**
   * VolumeSnapshotLocationStatus describes the current status of a Velero VolumeSnapshotLocation.
   */
  "status"?: {
    /**
     * VolumeSnapshotLocationPhase is the lifecycle phase of a Velero VolumeSnapshotLocation.
     */
    "phase"?: "Available" | "Unavailable";
  };
}
