/**
 * A hardened S3 bucket for backups and the hardened bucket its server access logs go to.
 *
 * BackupBucket: versioning; SSE-KMS with its own rotating customer key and the S3 Bucket Key; all four
 * public-access-block flags; object ownership BucketOwnerEnforced (ACLs off); a policy denying any
 * request without TLS (and TLS older than 1.2); server access logging; `force_destroy` off; lifecycle
 * rules validated at synth; optional Object Lock.
 *
 * AccessLogBucket: the same hardening, but SSE-S3 (AES256): AWS documents that a server access log
 * destination bucket may use default encryption only with SSE-S3 ("Default server-side encryption with
 * AWS KMS keys (SSE-KMS) is not supported", S3 User Guide, "Enabling Amazon S3 server access logging").
 * Log delivery is granted by bucket policy to `logging.s3.amazonaws.com`, limited to the source buckets
 * and the account (ACL grants do not work with BucketOwnerEnforced).
 */
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Lazy, TerraformDataSource, TerraformResource } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import type { IamStatementSpec } from '../model/service';
import { ValidationError } from '../model/validation';
import { backupBucketName } from '../model/names';
import { requireAccountId } from '../model/rules';
import type { IGrantable } from './service-account-role';
import { policyDocument, type PolicyStatement } from './_iam';
import { projectMonthlyCost, projectionRule, type CostProjection } from './cost-projection';
import type { S3PriceTable } from './data/s3-prices-eu-central-1';
import { KmsKey } from './kms-key';
import { BucketLifecycle, LifecycleFilter, defaultLifecycleRules, type LifecycleRule } from './lifecycle';

/** How Object Lock protects object versions during their retention. */
export enum ObjectLockMode {
  /** Users with `s3:BypassGovernanceRetention` can still delete or shorten the lock. */
  GOVERNANCE = 'GOVERNANCE',
  /** Nobody, the root user included, can delete a version or shorten its lock before it ends. */
  COMPLIANCE = 'COMPLIANCE',
}

/** Object Lock with a default retention, for backups ransomware cannot delete. */
export class ObjectLock {
  /** Governance mode: privileged users can bypass it. */
  public static governance(defaultRetentionDays: number): ObjectLock {
    return new ObjectLock(ObjectLockMode.GOVERNANCE, defaultRetentionDays);
  }

  /** Compliance mode: nobody can delete a locked version before its retention ends. */
  public static compliance(defaultRetentionDays: number): ObjectLock {
    return new ObjectLock(ObjectLockMode.COMPLIANCE, defaultRetentionDays);
  }

  private constructor(
    public readonly mode: ObjectLockMode,
    public readonly defaultRetentionDays: number,
  ) {}
}

const S3_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '--x-s3', '--table-s3', '.mrap'];

/**
 * Throws a {@link ValidationError} unless `name` follows AWS's general purpose bucket naming rules
 * (3 to 63 characters; lower-case letters, digits, hyphens; starting and ending with a letter or digit;
 * no reserved prefix or suffix). Dots, which AWS allows, are refused too: they break TLS certificate
 * matching for virtual-hosted-style requests.
 */
export function requireBucketName(path: string, field: string, name: string): void {
  const reserved = RESERVED_PREFIXES.some((p) => name.startsWith(p)) || RESERVED_SUFFIXES.some((s) => name.endsWith(s));
  if (!S3_NAME.test(name) || reserved) {
    throw new ValidationError(
      path,
      field,
      name,
      `allowed: an S3 bucket name of 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, without the prefixes ${RESERVED_PREFIXES.join(', ')} or the suffixes ${RESERVED_SUFFIXES.join(', ')} (and without dots)`,
    );
  }
}

// the name both worlds derive (Velero's storage location names the bucket): lib/model/names.ts
export { backupBucketName } from '../model/names';

/** Sets `provider` on every Terraform resource and data source under `scope` (KmsKey has no provider prop). */
export function useProvider(scope: IConstruct, provider: AwsProvider | undefined): void {
  if (!provider) {
    return;
  }
  for (const child of scope.node.findAll()) {
    if (child instanceof TerraformResource || child instanceof TerraformDataSource) {
      child.provider = provider;
    }
  }
}

/** The TLS-only statements every bucket policy here starts with. */
function tlsOnlyStatements(bucketArn: string): PolicyStatement[] {
  const everyone = [{ type: 'AWS' as const, identifiers: ['*'] }];
  return [
    {
      sid: 'DenyWithoutTls',
      effect: 'Deny',
      actions: ['s3:*'],
      resources: [bucketArn, `${bucketArn}/*`],
      principals: everyone,
      conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    },
    {
      sid: 'DenyTlsOlderThan12',
      effect: 'Deny',
      actions: ['s3:*'],
      resources: [bucketArn, `${bucketArn}/*`],
      principals: everyone,
      conditions: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
    },
  ];
}

/** Options for an {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** The bucket's name, validated against S3's naming rules. */
  readonly bucketName: string;
  /** The account whose buckets deliver logs here. */
  readonly accountId: string;
  /** Days access logs are kept. @default 365 */
  readonly expireAfterDays?: number;
  /** The provider of the bucket's region. @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
}

/** A hardened bucket that receives S3 server access logs. */
export class AccessLogBucket extends Construct {
  /** The bucket resource. */
  public readonly resource: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** Days access logs are kept. */
  public readonly expireAfterDays: number;
  public readonly versioning: S3BucketVersioningA;

  private readonly accountId: string;
  private readonly sourceBucketArns: string[] = [];

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    requireBucketName(this.node.path, 'bucketName', props.bucketName);
    this.expireAfterDays = props.expireAfterDays ?? 365;
    this.accountId = props.accountId;
    this.bucketName = props.bucketName;

    this.resource = new S3Bucket(this, 'Resource', { bucket: props.bucketName, forceDestroy: false });
    this.bucketArn = this.resource.arn;
    this.versioning = new S3BucketVersioningA(this, 'Versioning', { bucket: this.resource.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: this.resource.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const publicAccess = blockPublicAccessAndEnforceOwner(this, this.resource.id);
    new S3BucketPolicy(this, 'Policy', {
      bucket: this.resource.id,
      policy: Lazy.stringValue({ produce: () => this.renderPolicy() }),
      dependsOn: [publicAccess],
    });
    new BucketLifecycle(this, 'Lifecycle', {
      bucket: this.resource.id,
      versioning: this.versioning,
      rules: [
        {
          id: 'expire-access-logs',
          filter: LifecycleFilter.all(),
          expireAfterDays: this.expireAfterDays,
          noncurrentVersionExpireAfterDays: 7,
          abortIncompleteMultipartUploadAfterDays: 7,
        },
        { id: 'remove-expired-delete-markers', filter: LifecycleFilter.all(), expiredObjectDeleteMarker: true },
      ],
    });
    useProvider(this, props.provider);
  }

  /** Lets S3 deliver the server access logs of `sourceBucketArn` (a bucket of the same account). */
  public allowLogDeliveryFrom(sourceBucketArn: string): void {
    this.sourceBucketArns.push(sourceBucketArn);
  }

  private renderPolicy(): string {
    const statements = tlsOnlyStatements(this.bucketArn);
    if (this.sourceBucketArns.length > 0) {
      statements.push({
        sid: 'S3ServerAccessLogDelivery',
        actions: ['s3:PutObject'],
        resources: [`${this.bucketArn}/*`],
        principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
        conditions: [
          { test: 'ArnLike', variable: 'aws:SourceArn', values: this.sourceBucketArns },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [this.accountId] },
        ],
      });
    }
    return policyDocument(statements);
  }
}

/** Options for a {@link BackupBucket}. */
export interface BackupBucketProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment's name. */
  readonly environmentName: string;
  /** The AWS account id, 12 digits (bucket name, key policy, log delivery condition). */
  readonly accountId: string;
  /** Days a backup is kept: the default lifecycle expires current versions then. */
  readonly retentionDays: number;
  /** @default backupBucketName(platformName, environmentName, accountId) */
  readonly bucketName?: string;
  /**
   * Lifecycle rules, validated at synth against AWS's constraints and the Object Lock retention.
   * @default defaultLifecycleRules({ retentionDays })
   */
  readonly lifecycleRules?: readonly LifecycleRule[];
  /** Object Lock with a default retention. Can only be chosen when the bucket is created. @default no Object Lock */
  readonly objectLock?: ObjectLock;
  /** Days server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
  /** The provider of the bucket's region (e.g. an aliased provider for a replica). @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
}

/** A hardened, versioned, KMS-encrypted bucket for backups, with access logging and validated lifecycle rules. */
export class BackupBucket extends Construct {
  /** The bucket resource. */
  public readonly resource: S3Bucket;
  /** The bucket's name. */
  public readonly bucketName: string;
  /** The bucket's ARN (a reference). */
  public readonly bucketArn: string;
  /** The rotating customer key that encrypts the objects. */
  public readonly kmsKey: KmsKey;
  /** The versioning resource (replication and lifecycle depend on it). */
  public readonly versioning: S3BucketVersioningA;
  /** The bucket that receives the server access logs. */
  public readonly accessLogBucket: AccessLogBucket;
  /** The lifecycle configuration. */
  public readonly lifecycle: BucketLifecycle;
  /** The lifecycle rules in force. */
  public readonly lifecycleRules: readonly LifecycleRule[];
  /** Days a backup is kept. */
  public readonly retentionDays: number;
  /** The Object Lock settings, if any. */
  public readonly objectLock?: ObjectLock;
  /** The provider of the bucket's region, if not the stack's default. */
  public readonly provider?: AwsProvider;
  public readonly platformName: string;
  public readonly environmentName: string;
  public readonly accountId: string;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    const path = this.node.path;
    requireAccountId(path, 'accountId', props.accountId);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new ValidationError(path, 'retentionDays', props.retentionDays, 'allowed: a whole number of days, 1 or more');
    }
    this.platformName = props.platformName;
    this.environmentName = props.environmentName;
    this.accountId = props.accountId;
    this.retentionDays = props.retentionDays;
    this.provider = props.provider;
    this.bucketName = props.bucketName ?? backupBucketName(props.platformName, props.environmentName, props.accountId);
    requireBucketName(path, 'bucketName', this.bucketName);
    const logBucketName = `${this.bucketName}-logs`;
    requireBucketName(path, 'bucketName (with the -logs suffix of its access log bucket)', logBucketName);
    this.objectLock = props.objectLock;
    if (this.objectLock) {
      const days = this.objectLock.defaultRetentionDays;
      if (!Number.isInteger(days) || days < 1 || days > 36500) {
        throw new ValidationError(path, 'objectLock.defaultRetentionDays', days, 'allowed: a whole number of days from 1 to 36500');
      }
    }
    this.lifecycleRules = props.lifecycleRules ?? defaultLifecycleRules({ retentionDays: this.retentionDays });

    this.kmsKey = new KmsKey(this, 'Key', {
      alias: `s3/${this.bucketName}`,
      description: `Encrypts the objects of S3 bucket ${this.bucketName}`,
      accountId: props.accountId,
    });
    this.resource = new S3Bucket(this, 'Resource', {
      bucket: this.bucketName,
      forceDestroy: false,
      objectLockEnabled: this.objectLock ? true : undefined,
    });
    this.bucketArn = this.resource.arn;
    this.versioning = new S3BucketVersioningA(this, 'Versioning', { bucket: this.resource.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: this.resource.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.kmsKey.keyArn }, bucketKeyEnabled: true }],
    });
    const publicAccess = blockPublicAccessAndEnforceOwner(this, this.resource.id);
    new S3BucketPolicy(this, 'Policy', {
      bucket: this.resource.id,
      policy: policyDocument(tlsOnlyStatements(this.bucketArn)),
      dependsOn: [publicAccess],
    });

    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      bucketName: logBucketName,
      accountId: props.accountId,
      expireAfterDays: props.accessLogRetentionDays,
    });
    this.accessLogBucket.allowLogDeliveryFrom(this.bucketArn);
    new S3BucketLoggingA(this, 'AccessLogging', {
      bucket: this.resource.id,
      targetBucket: this.accessLogBucket.resource.id,
      targetPrefix: `${this.bucketName}/`,
    });

    if (this.objectLock) {
      new S3BucketObjectLockConfigurationA(this, 'ObjectLock', {
        bucket: this.resource.id,
        rule: { defaultRetention: { mode: this.objectLock.mode, days: this.objectLock.defaultRetentionDays } },
        dependsOn: [this.versioning],
      });
    }
    this.lifecycle = new BucketLifecycle(this, 'Lifecycle', {
      bucket: this.resource.id,
      rules: this.lifecycleRules,
      versioning: this.versioning,
      objectLockDefaultRetentionDays: this.objectLock?.defaultRetentionDays,
    });
    useProvider(this, props.provider);
  }

  /** The ARN of every object: `<bucketArn>/*`. */
  public get objectsArn(): string {
    return `${this.bucketArn}/*`;
  }

  /**
   * What a backup tool needs to read and write this bucket's backups, and nothing more: object get, put,
   * delete and multipart upload handling on the objects, listing the bucket, and using the bucket's key.
   */
  public readWriteStatements(): IamStatementSpec[] {
    return [
      { actions: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], resources: [this.objectsArn] },
      { actions: ['s3:ListBucket'], resources: [this.bucketArn] },
      { actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], resources: [this.kmsKey.keyArn] },
    ];
  }

  /** What reading the backups takes: object get and list, and decrypting with the bucket's key. */
  public readStatements(): IamStatementSpec[] {
    return [
      { actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [this.objectsArn] },
      { actions: ['s3:ListBucket'], resources: [this.bucketArn] },
      { actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [this.kmsKey.keyArn] },
    ];
  }

  /** Lets `grantee` (a service-account role, say) read the backups. */
  public grantRead(grantee: IGrantable): void {
    for (const s of this.readStatements()) {
      grantee.addToPolicy({ actions: s.actions, resources: s.resources });
    }
  }

  /** Lets `grantee` read and write the backups ({@link readWriteStatements}). */
  public grantReadWrite(grantee: IGrantable): void {
    for (const s of this.readWriteStatements()) {
      grantee.addToPolicy({ actions: s.actions, resources: s.resources });
    }
  }

  /**
   * The steady-state monthly storage cost of this bucket's lifecycle for `gbPerDay` of new backups,
   * against keeping everything in STANDARD (see {@link projectMonthlyCost}).
   */
  public projectCost(gbPerDay: number, prices?: S3PriceTable): CostProjection {
    return projectMonthlyCost({ gbPerDay, rule: projectionRule(this.lifecycleRules), prices });
  }
}

/**
 * All four public-access-block flags and object ownership `BucketOwnerEnforced` (ACLs off), with the construct ids
 * `PublicAccessBlock` and `Ownership`. Returns the block, which a bucket policy should depend on.
 */
function blockPublicAccessAndEnforceOwner(scope: Construct, bucketId: string): S3BucketPublicAccessBlock {
  const publicAccess = new S3BucketPublicAccessBlock(scope, 'PublicAccessBlock', {
    bucket: bucketId,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'Ownership', { bucket: bucketId, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  return publicAccess;
}
