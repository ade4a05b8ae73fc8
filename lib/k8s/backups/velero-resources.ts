/**
 * Typed Velero custom resources (`velero.io/v1`): BackupStorageLocation, VolumeSnapshotLocation, Schedule. Each spec is
 * the interface generated from Velero v1.18.1's CRDs into `./velero-models` (type-only imports: nothing generated runs).
 * Argo CD applies them beside the Velero Application that installs their CRDs (see lib/k8s/_custom-resource.ts).
 */
import type { Construct } from 'constructs';
import { TypedCustomResource } from '../_custom-resource';
import type { IBackupStorageLocation } from './velero-models/velero.io/v1/BackupStorageLocation.js' with { 'resolution-mode': 'import' };
import type { ISchedule } from './velero-models/velero.io/v1/Schedule.js' with { 'resolution-mode': 'import' };
import type { IVolumeSnapshotLocation } from './velero-models/velero.io/v1/VolumeSnapshotLocation.js' with { 'resolution-mode': 'import' };

/** The spec of a BackupStorageLocation, as Velero's CRD defines it. */
export type BackupStorageLocationSpec = NonNullable<IBackupStorageLocation['spec']>;
/** The spec of a VolumeSnapshotLocation, as Velero's CRD defines it. */
export type VolumeSnapshotLocationSpec = NonNullable<IVolumeSnapshotLocation['spec']>;
/** The spec of a Schedule, as Velero's CRD defines it. */
export type ScheduleSpec = NonNullable<ISchedule['spec']>;

/** The API version of every Velero object here. */
export const VELERO_API_VERSION = 'velero.io/v1';
/** Options of every typed Velero object. */
export interface VeleroObjectProps<S> {
  /** The object's name, a DNS-1123 label. */
  readonly name: string;
  /** The namespace Velero runs in. */
  readonly namespace: string;
  /** Labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** The spec, typed by the generated model: a misspelled field is a compile error. */
  readonly spec: S;
}

/** A typed Velero object: a {@link TypedCustomResource} of `velero.io/v1`. */
abstract class VeleroObject<S extends object> extends TypedCustomResource<{ apiVersion: string; kind: string; spec: S }> {
  protected constructor(scope: Construct, id: string, kind: string, props: VeleroObjectProps<S>) {
    super(scope, id, VELERO_API_VERSION, kind, { metadata: { name: props.name, namespace: props.namespace, labels: props.labels }, spec: props.spec });
  }
}

/** Where Velero writes backups (an object store bucket). */
export class VeleroBackupStorageLocation extends VeleroObject<BackupStorageLocationSpec> {
  constructor(scope: Construct, id: string, props: VeleroObjectProps<BackupStorageLocationSpec>) {
    super(scope, id, 'BackupStorageLocation', props);
  }
}

/** Where Velero takes native volume snapshots (a provider and region). */
export class VeleroVolumeSnapshotLocation extends VeleroObject<VolumeSnapshotLocationSpec> {
  constructor(scope: Construct, id: string, props: VeleroObjectProps<VolumeSnapshotLocationSpec>) {
    super(scope, id, 'VolumeSnapshotLocation', props);
  }
}

/** A cron schedule of Backups. */
export class VeleroSchedule extends VeleroObject<ScheduleSpec> {
  constructor(scope: Construct, id: string, props: VeleroObjectProps<ScheduleSpec>) {
    super(scope, id, 'Schedule', props);
  }
}
