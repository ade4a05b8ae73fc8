/**
 * VPC interface endpoints with private DNS for the AWS services the platform's pods call (STS for IRSA, and those the
 * catalog's `awsPermissions` name, see lib/model/aws-endpoints.ts), in the private subnets of the three zones,
 * behind one security group that admits HTTPS from the VPC only. With private DNS, `sts.<region>.amazonaws.com`
 * and the others resolve to these endpoints' addresses inside the VPC: the pods' NetworkPolicies open 443 to the
 * VPC's CIDR and nothing on the internet.
 */
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { parseCidr } from '../model/cidr';
import { ValidationError } from '../model/validation';
import type { INetwork } from './network';

/** Options of {@link AwsServiceEndpoints}. */
export interface AwsServiceEndpointsProps {
  /** The network: the endpoints' interfaces go into its private subnets. */
  readonly network: INetwork;
  /** The VPC's CIDR: HTTPS from it is admitted. */
  readonly vpcCidr: string;
  /** Endpoint service short names, e.g. `sts`, `s3`, `sqs` (`com.amazonaws.<region>.<name>`). */
  readonly services: readonly string[];
  /** A name prefix for the security group, e.g. the cluster's name. */
  readonly namePrefix: string;
}

/** Interface endpoints of AWS services, private DNS on, reachable from the VPC on 443. */
export class AwsServiceEndpoints extends Construct {
  /** The security group of the endpoints' network interfaces. */
  public readonly securityGroup: SecurityGroup;
  /** The endpoints, by short name. */
  public readonly endpoints: Readonly<Record<string, VpcEndpoint>>;

  constructor(scope: Construct, id: string, props: AwsServiceEndpointsProps) {
    super(scope, id);
    const path = this.node.path;
    let cidr: string;
    try {
      cidr = parseCidr(props.vpcCidr).text;
    } catch {
      throw new ValidationError(path, 'vpcCidr', props.vpcCidr, 'allowed: an IPv4 network CIDR');
    }
    for (const name of props.services) {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)?$/.test(name)) {
        throw new ValidationError(path, 'services', name, 'allowed: endpoint service short names such as sts, s3, ecr.api');
      }
    }
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.namePrefix}-aws-endpoints`,
      description: 'HTTPS from the VPC to the AWS service endpoints',
      vpcId: props.network.vpcId,
      ingress: [{ description: 'HTTPS from the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [cidr] }],
      tags: { Name: `${props.namePrefix}-aws-endpoints` },
    });
    const endpoints: Record<string, VpcEndpoint> = {};
    for (const name of [...new Set(props.services)].sort()) {
      endpoints[name] = new VpcEndpoint(this, name, {
        vpcId: props.network.vpcId,
        serviceName: `com.amazonaws.${props.network.region}.${name}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: [...props.network.privateSubnetIds],
        securityGroupIds: [this.securityGroup.id],
        tags: { Name: `${props.namePrefix}-${name}` },
      });
    }
    this.endpoints = endpoints;
  }
}
