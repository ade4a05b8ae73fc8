/**
 * The VolumeSnapshotClass of the EBS CSI driver that Velero's CSI snapshots and data mover use (Velero picks the class
 * labelled `velero.io/csi-volumesnapshot-class`). Its API (`snapshot.storage.k8s.io`) and controller come from the
 * environment's `snapshot-controller` EKS add-on (lib/aws/addon-versions.ts); the closure check proves it is there.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { requireDns1123Label } from '../../model/validation';

/** The label Velero selects its VolumeSnapshotClass by, for a CSI driver. */
export const VELERO_SNAPSHOT_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';

/** The fields of a `snapshot.storage.k8s.io/v1` VolumeSnapshotClass (external-snapshotter v8). */
export interface VolumeSnapshotClassManifest {
  readonly apiVersion: 'snapshot.storage.k8s.io/v1';
  readonly kind: 'VolumeSnapshotClass';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly driver: string;
  readonly deletionPolicy: 'Delete' | 'Retain';
  readonly parameters?: Readonly<Record<string, string>>;
}

/** Options of an {@link EbsVolumeSnapshotClass}. */
export interface EbsVolumeSnapshotClassProps {
  /** @default 'ebs-csi-velero' */
  readonly name?: string;
  /** What happens to the EBS snapshot when its VolumeSnapshot is deleted. @default 'Delete' (Velero deletes expired backups' snapshots) */
  readonly deletionPolicy?: 'Delete' | 'Retain';
}

/** The EBS CSI driver's VolumeSnapshotClass, labelled for Velero. */
export class EbsVolumeSnapshotClass extends Construct {
  /** The object. */
  public readonly resource: ApiObject;
  /** Its name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: EbsVolumeSnapshotClassProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'ebs-csi-velero';
    requireDns1123Label(this.node.path, 'name', this.name);
    const manifest: VolumeSnapshotClassManifest = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      // applied with the snapshot-controller add-on's CRDs, which the Terraform side installs first
      metadata: { name: this.name, labels: { [VELERO_SNAPSHOT_CLASS_LABEL]: 'true' } },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: props.deletionPolicy ?? 'Delete',
    };
    this.resource = new ApiObject(this, 'Resource', manifest);
  }
}
