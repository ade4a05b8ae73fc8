/**
 * An IAM role for one Kubernetes service account (IRSA): only pods running as
 * `system:serviceaccount:<namespace>:<serviceAccount>` can assume it, through the cluster's OIDC provider.
 * Its name comes from `serviceAccountRoleName()`, so the Kubernetes side writes the same ARN without a lookup.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { iamRoleArn, serviceAccountRoleName } from '../model/names';
import type { AwsPartition } from '../model/partition';
import type { IamStatementSpec } from '../model/service';
import { ValidationError, requireDns1123Label } from '../model/validation';
import { requireAccountId } from '../model/rules';
import { assertNoAdminStatements, fromSpecs, policyDocument, type PolicyStatement } from './_iam';
import { secretsManagerViaService } from '../model/aws-endpoints';

/** Options for a {@link ServiceAccountRole}. */
export interface ServiceAccountRoleProps {
  /** The platform's name (prefix of the role name). */
  readonly platformName: string;
  /** The environment's name. */
  readonly environmentName: string;
  /** The AWS account id, 12 digits. */
  readonly accountId: string;
  /** The service account's namespace. */
  readonly namespace: string;
  /** The service account's name. */
  readonly serviceAccount: string;
  /** The ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer, host and path without `https://`, e.g. `oidc.eks.eu-central-1.amazonaws.com/id/ABC`. */
  readonly oidcIssuer: string;
  /** What the role may do, as plain Allow statements. A statement with `*` actions on `*` is refused. */
  readonly statements: readonly IamStatementSpec[];
  /**
   * Further statements with conditions (e.g. on resource tags). Same `*`-on-`*` rule.
   * @default []
   */
  readonly conditionalStatements?: readonly PolicyStatement[];
  /**
   * ARNs of AWS managed policies to attach, e.g. `arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`.
   * @default []
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * The ARN partition of the cluster's region (`EksCluster.partition`, or `arnPartition(region)`), for `expectedRoleArn`.
   * @default 'aws'
   */
  readonly partition?: AwsPartition;
}

/** Something that can be given permissions: a role with an inline policy (see BackupBucket.grantReadWrite). */
export interface IGrantable {
  /** Adds a statement to its policy. */
  addToPolicy(statement: PolicyStatement): void;
}

/** An IAM role bound to one Kubernetes service account through the cluster's OIDC provider. */

export class ServiceAccountRole extends Construct implements IGrantable {
  /** The IAM role. */
  public readonly role: IamRole;
  /** The role's name, `serviceAccountRoleName(platform, env, namespace, serviceAccount)`. */
  public readonly roleName: string;
  /** The role's ARN (a reference to the role, so users of it depend on it). */
  public readonly roleArn: string;
  /** The role's ARN as the Kubernetes side computes it: `arn:<partition>:iam::<account>:role/<roleName>`. */
  public readonly expectedRoleArn: string;
  /** The subject the trust policy allows: `system:serviceaccount:<namespace>:<serviceAccount>`. */
  public readonly subject: string;

  private readonly statements: PolicyStatement[] = [];
  private readonly path: string;
  private policy?: IamRolePolicy;

  /**
   * Adds a statement to the role's inline policy (created with the first statement). The same rules as the
   * `statements` prop apply: an Allow of `service:*` or `*` on `*` fails.
   */
  public addToPolicy(statement: PolicyStatement): void {
    assertNoAdminStatements(this.path, 'addToPolicy', [statement]);
    this.statements.push(statement);
    // the document is rendered at synth, so that statements added after construction are in it
    this.policy ??= new IamRolePolicy(this, 'Policy', {
      name: 'permissions',
      role: this.role.name,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
  }

  /**
   * Lets the role read exactly these Secrets Manager secrets: `secretsmanager:GetSecretValue` on their ARNs (nothing
   * else: no listing, no describing: External Secrets Operator reads a secret by name with GetSecretValue alone), and
   * `kms:Decrypt` on their keys only through Secrets Manager in `region`. `ServiceSecrets` grants it to each service's
   * secrets reader role, the identity External Secrets Operator reads that service's secrets as (docs/secrets.md).
   */
  public grantReadSecrets(secretArns: readonly string[], kmsKeyArns: readonly string[], region: string): void {
    if (secretArns.length === 0) {
      throw new ValidationError(this.path, 'grantReadSecrets.secretArns', [], 'allowed: one or more secret ARNs');
    }
    this.addToPolicy({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [...secretArns] });
    this.addToPolicy({
      sid: 'DecryptSecrets',
      actions: ['kms:Decrypt'],
      resources: [...kmsKeyArns],
      conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [secretsManagerViaService(region)] }],
    });
  }

  constructor(scope: Construct, id: string, props: ServiceAccountRoleProps) {
    super(scope, id);
    const path = this.node.path;
    requireDns1123Label(path, 'namespace', props.namespace);
    requireDns1123Label(path, 'serviceAccount', props.serviceAccount);
    requireAccountId(path, 'accountId', props.accountId);
    if (!Token.isUnresolved(props.oidcIssuer) && (/^[a-z]+:\/\//.test(props.oidcIssuer) || props.oidcIssuer.length === 0)) {
      throw new ValidationError(path, 'oidcIssuer', props.oidcIssuer, 'allowed: the issuer host and path without a scheme, e.g. oidc.eks.eu-central-1.amazonaws.com/id/ABC');
    }
    const statements = [...fromSpecs(props.statements), ...(props.conditionalStatements ?? [])];
    assertNoAdminStatements(path, 'statements', statements);
    this.path = path;

    this.roleName = serviceAccountRoleName(props.platformName, props.environmentName, props.namespace, props.serviceAccount);
    this.expectedRoleArn = iamRoleArn(props.accountId, this.roleName, props.partition ?? 'aws');
    this.subject = `system:serviceaccount:${props.namespace}:${props.serviceAccount}`;

    this.role = new IamRole(this, 'Resource', {
      name: this.roleName,
      description: `IRSA role of service account ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: policyDocument([
        {
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [props.oidcProviderArn] }],
          conditions: [
            { test: 'StringEquals', variable: `${props.oidcIssuer}:aud`, values: ['sts.amazonaws.com'] },
            { test: 'StringEquals', variable: `${props.oidcIssuer}:sub`, values: [this.subject] },
          ],
        },
      ]),
    });
    this.roleArn = this.role.arn;

    for (const statement of statements) {
      this.addToPolicy(statement);
    }
    for (const arn of [...new Set(props.managedPolicyArns ?? [])].sort()) {
      // the id is the policy's name, so adding a policy never renames another attachment
      new IamRolePolicyAttachment(this, arn.slice(arn.lastIndexOf('/') + 1), { role: this.role.name, policyArn: arn });
    }
  }
}
