/**
 * What every managed data store shares: a security group that admits only the EKS cluster security group (the one
 * the nodes, and so the pods, carry) on the store's port, with no egress rule (a store initiates no connection).
 */
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { ResolvedDataStore } from '../../model/data-stores';
import type { KmsKey } from '../kms-key';
import type { DataStoreCredentials } from './data-store-credentials';

/** What every managed store is built from: the store, where it runs, its key and its credentials. */
export interface ManagedStoreProps {
  /** The store, as the environment runs it (placement managed). */
  readonly store: ResolvedDataStore;
  /** `<platform>-<env>-<store>`: the store's AWS identifier and the prefix of its parts. */
  readonly identifier: string;
  /** Days of automated backups or snapshots (the point-in-time recovery window of PostgreSQL), 1 to 35. */
  readonly backupRetentionDays: number;
  /** The VPC. */
  readonly vpcId: string;
  /** The subnets, one per zone (the environment's intra subnets). */
  readonly subnetIds: readonly string[];
  /** The zones of the subnets, in the same order. */
  readonly availabilityZones: readonly string[];
  /** The EKS cluster security group, the only one admitted. */
  readonly clusterSecurityGroupId: string;
  /** The key of the data at rest. */
  readonly key: KmsKey;
  /** The credentials (password or AUTH token). */
  readonly credentials: DataStoreCredentials;
}

/** Options for a {@link StoreSecurityGroup}. */
export interface StoreSecurityGroupProps {
  /** The security group's name. */
  readonly name: string;
  /** What it protects. */
  readonly description: string;
  /** The VPC. */
  readonly vpcId: string;
  /** The cluster security group of the EKS cluster (its nodes and pods). */
  readonly clusterSecurityGroupId: string;
  /** The store's port. */
  readonly port: number;
}

/** A security group admitting only the cluster on one TCP port. */
export class StoreSecurityGroup extends Construct {
  /** The group (id `Resource`). */
  public readonly resource: SecurityGroup;
  /** Its id. */
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: StoreSecurityGroupProps) {
    super(scope, id);
    this.resource = new SecurityGroup(this, 'Resource', {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      // no egress: without rules a group created by Terraform allows none
      egress: [],
      revokeRulesOnDelete: true,
    });
    this.securityGroupId = this.resource.id;
    new VpcSecurityGroupIngressRule(this, 'FromCluster', {
      securityGroupId: this.resource.id,
      referencedSecurityGroupId: props.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: props.port,
      toPort: props.port,
      description: 'The EKS cluster (nodes and pods)',
    });
  }
}
