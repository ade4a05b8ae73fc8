/**
 * A customer-managed KMS key that rotates, with an alias and a key policy that gives the account
 * root (the pattern AWS requires so that IAM policies can grant use of the key) administration,
 * and named service principals or roles use of the key, nothing wider.
 */
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { AwsPartition } from '../model/partition';
import { ValidationError } from '../model/validation';
import { requireAccountId } from '../model/rules';
import { assertNoAdminStatements, policyDocument, type PolicyStatement } from './_iam';

/** The actions a principal needs to encrypt and decrypt with a key. */
export const KMS_USE_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Options for a {@link KmsKey}. */
export interface KmsKeyProps {
  /** The alias, without the `alias/` prefix, e.g. `shop-prod-eks-secrets`. Letters, digits, `/`, `_`, `-`. */
  readonly alias: string;
  /** What the key protects. */
  readonly description: string;
  /**
   * AWS service principals that may use the key to encrypt and decrypt, e.g. `logs.eu-central-1.amazonaws.com`.
   * @default []
   */
  readonly allowServicePrincipals?: readonly string[];
  /**
   * IAM role ARNs (or tokens of roles in the stack) that may use the key to encrypt and decrypt,
   * and to create grants for AWS resources (EBS volumes need that).
   * @default []
   */
  readonly allowRoleArns?: readonly string[];
  /**
   * Days between a scheduled deletion and the deletion itself, 7 to 30.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * The account that owns the key; its root gets administration of the key.
   * @default the account of the provider's credentials, read through an `aws_caller_identity` data source
   */
  readonly accountId?: string;
  /**
   * The ARN partition of the key's region (`arnPartition(region)` of lib/model/partition.ts), for the ARNs of the
   * key policy.
   * @default the provider's partition, read through an `aws_partition` data source
   */
  readonly partition?: AwsPartition;
}

const ALIAS = /^[a-zA-Z0-9/_-]{1,250}$/;

/** A rotating customer-managed KMS key with an alias. */
export class KmsKey extends Construct {
  /** The key resource. */
  public readonly resource: KmsKeyResource;
  /** The key's ARN. */
  public readonly keyArn: string;
  /** The key's id. */
  public readonly keyId: string;
  /** The alias, with the `alias/` prefix. */
  public readonly aliasName: string;
  /** Days of the deletion window. */
  public readonly deletionWindowInDays: number;
  /** The account whose root administers the key (a literal or a token). */
  public readonly accountId: string;
  /** The ARN partition of the key policy's ARNs (a literal or a token). */
  public readonly partition: string;

  private readonly servicePrincipals: string[];
  private readonly roleArns: string[];
  private readonly serviceLinkedRoleArns: string[] = [];
  private readonly extraStatements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    if (!ALIAS.test(props.alias) || props.alias.startsWith('aws/')) {
      throw new ValidationError(this.node.path, 'alias', props.alias, 'allowed: 1 to 250 letters, digits, "/", "_" or "-", without the alias/ prefix and not starting with aws/');
    }
    this.deletionWindowInDays = props.deletionWindowInDays ?? 30;
    if (!Number.isInteger(this.deletionWindowInDays) || this.deletionWindowInDays < 7 || this.deletionWindowInDays > 30) {
      throw new ValidationError(this.node.path, 'deletionWindowInDays', this.deletionWindowInDays, 'allowed: a whole number of days from 7 to 30');
    }
    if (props.accountId !== undefined && !Token.isUnresolved(props.accountId)) {
      requireAccountId(this.node.path, 'accountId', props.accountId);
    }
    this.accountId = props.accountId ?? new DataAwsCallerIdentity(this, 'CallerIdentity').accountId;
    this.partition = props.partition ?? new DataAwsPartition(this, 'Partition').partition;
    this.servicePrincipals = [...(props.allowServicePrincipals ?? [])];
    this.roleArns = [...(props.allowRoleArns ?? [])];
    this.aliasName = `alias/${props.alias}`;

    this.resource = new KmsKeyResource(this, 'Resource', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: this.deletionWindowInDays,
      policy: Lazy.stringValue({ produce: () => this.renderPolicy() }),
    });
    this.keyArn = this.resource.arn;
    this.keyId = this.resource.keyId;
    new KmsAlias(this, 'Alias', { name: this.aliasName, targetKeyId: this.resource.keyId });
  }

  /** Lets an AWS service principal encrypt and decrypt with the key. */
  public allowService(servicePrincipal: string): void {
    this.servicePrincipals.push(servicePrincipal);
  }

  /** Lets an IAM role encrypt, decrypt and create grants for AWS resources with the key. */
  public allowRole(roleArn: string): void {
    this.roleArns.push(roleArn);
  }

  /**
   * Lets a role that may not exist yet, such as a service-linked role AWS creates on first use
   * (`AWSServiceRoleForAutoScaling`), encrypt, decrypt and create grants for AWS resources with the key.
   * KMS refuses a key policy that names a principal that does not exist, so the statements name no principal
   * (`AWS: *`) and match the role by the conditions `aws:PrincipalArn` (the role) and `aws:PrincipalAccount`
   * (the key's account), whose values KMS does not check.
   */
  public allowServiceLinkedRole(roleArn: string): void {
    this.serviceLinkedRoleArns.push(roleArn);
  }

  /**
   * Adds a statement to the key policy (principals required). A statement with `*` actions on `*`
   * is refused.
   */
  public addToPolicy(statement: PolicyStatement): void {
    assertNoAdminStatements(this.node.path, 'addToPolicy', [statement]);
    if (!statement.principals || statement.principals.length === 0) {
      throw new ValidationError(this.node.path, 'addToPolicy.principals', statement.principals, 'allowed: one or more principals (a key policy statement names who it applies to)');
    }
    this.extraStatements.push(statement);
  }

  private renderPolicy(): string {
    const statements: PolicyStatement[] = [
      {
        // AWS requires the account root to hold the key's administration, otherwise the key becomes
        // unmanageable; it also lets IAM policies in the account grant use of the key.
        sid: 'AccountRootAdministers',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: [`arn:${this.partition}:iam::${this.accountId}:root`] }],
      },
    ];
    // CloudWatch Logs is scoped to the account's log groups through the encryption context it sends.
    const logs = this.servicePrincipals.filter((p) => /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(p));
    const others = this.servicePrincipals.filter((p) => !logs.includes(p));
    if (logs.length > 0) {
      statements.push({
        sid: 'CloudWatchLogsUseKey',
        actions: KMS_USE_ACTIONS,
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: logs }],
        conditions: [{ test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn', values: [`arn:${this.partition}:logs:*:${this.accountId}:*`] }],
      });
    }
    if (others.length > 0) {
      statements.push({
        sid: 'ServicesUseKey',
        actions: KMS_USE_ACTIONS,
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: others }],
      });
    }
    if (this.roleArns.length > 0) {
      statements.push({
        sid: 'RolesUseKey',
        actions: KMS_USE_ACTIONS,
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: this.roleArns }],
      });
      statements.push({
        sid: 'RolesGrantToAwsResources',
        actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: this.roleArns }],
        conditions: [{ test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] }],
      });
    }
    if (this.serviceLinkedRoleArns.length > 0) {
      // no principal named: the role may not exist when the key policy is written
      const byCondition = [
        { test: 'ArnEquals', variable: 'aws:PrincipalArn', values: this.serviceLinkedRoleArns },
        { test: 'StringEquals', variable: 'aws:PrincipalAccount', values: [this.accountId] },
      ];
      statements.push({
        sid: 'ServiceLinkedRolesUseKey',
        actions: KMS_USE_ACTIONS,
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        conditions: byCondition,
      });
      statements.push({
        sid: 'ServiceLinkedRolesGrantToAwsResources',
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        conditions: [...byCondition, { test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] }],
      });
    }
    return policyDocument([...statements, ...this.extraStatements]);
  }
}
