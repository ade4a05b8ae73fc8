/**
 * The IAM role of Velero (namespace `velero`, service account `velero`) through {@link ServiceAccountRole}:
 * what the Velero plugin for AWS needs on one backup bucket and its key, and the EC2 calls of EBS
 * snapshots, scoped as far as EC2 allows.
 *
 * - S3, on `<bucket>/*`: GetObject, PutObject, DeleteObject, AbortMultipartUpload, ListMultipartUploadParts;
 *   on the bucket: ListBucket.
 * - KMS, on the bucket's key only: Encrypt, Decrypt, GenerateDataKey*, ReEncrypt*, DescribeKey.
 * - EC2: DescribeVolumes and DescribeSnapshots (EC2 supports no resource scoping for Describe calls: `*`);
 *   CreateSnapshot and CreateVolume on this region's volumes and snapshots; CreateTags only while
 *   creating a snapshot or a volume (`ec2:CreateAction`), the plugin tags through TagSpecifications;
 *   DeleteSnapshot only on snapshots carrying the `velero.io/backup` tag the plugin sets.
 */
import { Construct } from 'constructs';
import { arnPartition } from '../model/partition';
import { ValidationError } from '../model/validation';
import type { PolicyStatement } from './_iam';
import type { BackupBucket } from './backup-bucket';
import { ServiceAccountRole } from './service-account-role';

/** Options for a {@link VeleroRole}. */
export interface VeleroRoleProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment's name. */
  readonly environmentName: string;
  /** The AWS account id, 12 digits. */
  readonly accountId: string;
  /** The region of the cluster's EBS volumes, e.g. `eu-central-1`. */
  readonly region: string;
  /** The ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer, without `https://`. */
  readonly oidcIssuer: string;
  /** The bucket Velero writes its backups to. */
  readonly bucket: BackupBucket;
  /** @default 'velero' */
  readonly namespace?: string;
  /** @default 'velero' */
  readonly serviceAccount?: string;
}

/** The tag the Velero AWS plugin puts on the snapshots it creates. */
export const VELERO_BACKUP_TAG = 'velero.io/backup';

/** Velero's IRSA role: its backup bucket and key, and EBS snapshots. */
export class VeleroRole extends Construct {
  /** The underlying service-account role. */
  public readonly serviceAccountRole: ServiceAccountRole;
  public readonly roleName: string;
  public readonly roleArn: string;
  public readonly namespace: string;
  public readonly serviceAccount: string;

  constructor(scope: Construct, id: string, props: VeleroRoleProps) {
    super(scope, id);
    if (!/^[a-z]{2,4}(-gov)?-[a-z]+-\d$/.test(props.region)) {
      throw new ValidationError(this.node.path, 'region', props.region, 'allowed: an AWS region name such as eu-central-1');
    }
    this.namespace = props.namespace ?? 'velero';
    this.serviceAccount = props.serviceAccount ?? 'velero';
    const partition = arnPartition(props.region);
    const volumes = `arn:${partition}:ec2:${props.region}:${props.accountId}:volume/*`;
    const snapshots = `arn:${partition}:ec2:${props.region}::snapshot/*`;
    const conditional: PolicyStatement[] = [
      {
        sid: 'TagOnlyWhileCreating',
        actions: ['ec2:CreateTags'],
        resources: [volumes, snapshots],
        conditions: [{ test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateSnapshot', 'CreateVolume'] }],
      },
      {
        sid: 'DeleteOwnSnapshots',
        actions: ['ec2:DeleteSnapshot'],
        resources: [snapshots],
        conditions: [{ test: 'Null', variable: `aws:ResourceTag/${VELERO_BACKUP_TAG}`, values: ['false'] }],
      },
    ];
    this.serviceAccountRole = new ServiceAccountRole(this, 'Resource', {
      platformName: props.platformName,
      environmentName: props.environmentName,
      accountId: props.accountId,
      namespace: this.namespace,
      serviceAccount: this.serviceAccount,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      partition,
      statements: [
        ...props.bucket.readWriteStatements(),
        { actions: ['ec2:DescribeSnapshots', 'ec2:DescribeVolumes'], resources: ['*'] },
        { actions: ['ec2:CreateSnapshot', 'ec2:CreateVolume'], resources: [volumes, snapshots] },
      ],
      conditionalStatements: conditional,
    });
    this.roleName = this.serviceAccountRole.roleName;
    this.roleArn = this.serviceAccountRole.roleArn;
  }
}
