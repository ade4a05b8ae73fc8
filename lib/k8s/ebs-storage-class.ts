/**
 * A StorageClass for EBS volumes through the EBS CSI driver (installed as an EKS add-on by lib/aws).
 * EKS clusters ship only a `gp2` class; stateful services name the class they want, and the platform
 * chart emits the classes they use.
 */
import { KubeStorageClass } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { LABEL_MANAGED_BY } from '../model/names';
import { requireDns1123Label } from '../model/validation';

/** EBS volume types the class can provision. */
export enum EbsVolumeType {
  GP3 = 'gp3',
  IO2 = 'io2',
  ST1 = 'st1',
}

/** What happens to a volume when its claim is deleted. */
export enum ReclaimPolicy {
  /** The volume (and its data) stays, for an operator to recover or delete. */
  RETAIN = 'Retain',
  /** The volume is deleted with its claim. */
  DELETE = 'Delete',
}

/** Options for an {@link EbsStorageClass}. */
export interface EbsStorageClassProps {
  /** The StorageClass name, a DNS-1123 label. @default the volume type, e.g. `gp3` */
  readonly name?: string;
  /** @default EbsVolumeType.GP3 */
  readonly volumeType?: EbsVolumeType;
  /** A customer KMS key (key ARN or alias ARN) for the volumes. @default the account's default EBS encryption key */
  readonly kmsKeyId?: string;
  /** @default ReclaimPolicy.RETAIN: data outlives a deleted claim */
  readonly reclaimPolicy?: ReclaimPolicy;
  /** Whether this is the cluster's default class. @default false */
  readonly isDefault?: boolean;
}

/**
 * An encrypted EBS StorageClass. Binding waits for the first consumer, so a volume is created in the zone
 * its pod was scheduled to (EBS volumes are zonal); volumes can grow.
 */
export class EbsStorageClass extends Construct {
  /** The StorageClass name. */
  public readonly name: string;
  public readonly volumeType: EbsVolumeType;
  public readonly reclaimPolicy: ReclaimPolicy;

  constructor(scope: Construct, id: string, props: EbsStorageClassProps = {}) {
    super(scope, id);
    this.volumeType = props.volumeType ?? EbsVolumeType.GP3;
    this.name = props.name ?? this.volumeType;
    this.reclaimPolicy = props.reclaimPolicy ?? ReclaimPolicy.RETAIN;
    requireDns1123Label(this.node.path, 'name', this.name);
    new KubeStorageClass(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { [LABEL_MANAGED_BY]: 'eks-platform-constructs' },
        annotations: props.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined,
      },
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: this.volumeType,
        encrypted: 'true',
        ...(props.kmsKeyId ? { kmsKeyId: props.kmsKeyId } : {}),
      },
      reclaimPolicy: this.reclaimPolicy,
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  }
}
