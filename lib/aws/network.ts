/**
 * The VPC of an environment over exactly three availability zones: in each zone a public subnet
 * (load balancers, NAT), a private subnet (nodes and pods, internet through NAT) and an intra subnet
 * (no internet route: the EKS control-plane network interfaces). Flow logs go to an encrypted
 * CloudWatch log group; the default security group is kept empty.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { carvedSubnetCidrs, cidrsOverlap, tryParseCidr, type Cidr } from '../model/cidr';
import { arnPartition } from '../model/partition';
import { ValidationError } from '../model/validation';
import { policyDocument, serviceTrustPolicy } from './_iam';
import { KmsKey } from './kms-key';

/** Explicit subnet CIDRs, one per zone in the order of `availabilityZones`. */
export interface SubnetCidrs {
  /** @default carved: the 25th to 27th /(vpc+6) blocks of the VPC */
  readonly public?: readonly string[];
  /** @default carved: the first three /(vpc+3) blocks of the VPC (3/8 of the addresses, for nodes and pods) */
  readonly private?: readonly string[];
  /** @default carved: the 29th to 31st /(vpc+6) blocks of the VPC */
  readonly intra?: readonly string[];
}

/** Options for a {@link Network}. */
export interface NetworkProps {
  /** The EKS cluster that uses the subnets; its name goes into the `kubernetes.io/cluster/<name>` tags. */
  readonly clusterName: string;
  /** The VPC's IPv4 CIDR, prefix /16 to /22. */
  readonly cidr: string;
  /** Exactly three distinct availability zones of one region, e.g. `eu-central-1a`. */
  readonly availabilityZones: readonly string[];
  /**
   * One NAT gateway in the first zone shared by the three zones: cheaper, but losing that zone cuts
   * the others' internet access. For dev.
   * @default false: one NAT gateway per zone
   */
  readonly singleNatGateway?: boolean;
  /** @default carved from the VPC CIDR, see {@link SubnetCidrs} */
  readonly subnetCidrs?: SubnetCidrs;
  /**
   * Days CloudWatch keeps the flow logs.
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /**
   * The key that encrypts the flow-log group; it must let `logs.<region>.amazonaws.com` use it.
   * @default a new KmsKey `<clusterName>-vpc-flow-logs`
   */
  readonly flowLogsKmsKey?: KmsKey;
  /**
   * The account, passed to the default flow-log key.
   * @default the account of the provider's credentials
   */
  readonly accountId?: string;
}

/** CloudWatch Logs accepts only these retention periods, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Throws unless `days` is a retention period CloudWatch Logs accepts. */
export function requireLogRetention(path: string, field: string, days: number): void {
  if (!LOG_RETENTION_DAYS.includes(days)) {
    throw new ValidationError(path, field, days, `allowed: one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
}

/** The three subnet tiers of a {@link Network}. */
export type SubnetTier = 'public' | 'private' | 'intra';
const TIERS: readonly SubnetTier[] = ['public', 'private', 'intra'];

/** A VPC over three zones with public, private and intra subnets. */
/** What the cluster and its node groups need of a network: a created {@link Network} or an existing VPC's attributes. */
export interface INetwork {
  /** The VPC's id. */
  readonly vpcId: string;
  /** The region the zones belong to. */
  readonly region: string;
  /** The three zones, in the order of the subnets. */
  readonly availabilityZones: readonly string[];
  /** Private subnet ids (the nodes), one per zone in zone order. */
  readonly privateSubnetIds: readonly string[];
  /** Subnet ids for the control plane's network interfaces, one per zone in zone order. */
  readonly intraSubnetIds: readonly string[];
}

/** The attributes of an existing VPC, for {@link Network.fromAttributes}. */
export interface NetworkAttributes {
  /** The VPC's id, `vpc-...`. */
  readonly vpcId: string;
  /** Its three zones, in the order of the subnets. */
  readonly availabilityZones: readonly string[];
  /** Three private subnets with a route to a NAT gateway, one per zone in zone order. */
  readonly privateSubnetIds: readonly string[];
  /** Three subnets for the control plane's network interfaces. @default the private subnets */
  readonly intraSubnetIds?: readonly string[];
}

/** An existing VPC, by its attributes: it creates nothing. */
class ImportedNetwork extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly region: string;
  public readonly availabilityZones: readonly string[];
  public readonly privateSubnetIds: readonly string[];
  public readonly intraSubnetIds: readonly string[];

  constructor(scope: Construct, id: string, attrs: NetworkAttributes) {
    super(scope, id);
    const path = this.node.path;
    const region = validateZones(path, attrs.availabilityZones);
    if (!/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/.test(attrs.vpcId)) {
      throw new ValidationError(path, 'vpcId', attrs.vpcId, 'allowed: a VPC id, vpc- and 8 or 17 hex digits');
    }
    for (const [field, ids] of [['privateSubnetIds', attrs.privateSubnetIds], ['intraSubnetIds', attrs.intraSubnetIds ?? attrs.privateSubnetIds]] as const) {
      if (ids.length !== 3 || new Set(ids).size !== 3 || !ids.every((s) => /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/.test(s))) {
        throw new ValidationError(path, field, ids, 'allowed: three distinct subnet ids (subnet-...), one per zone in zone order');
      }
    }
    this.vpcId = attrs.vpcId;
    this.region = region;
    this.availabilityZones = attrs.availabilityZones;
    this.privateSubnetIds = attrs.privateSubnetIds;
    this.intraSubnetIds = attrs.intraSubnetIds ?? attrs.privateSubnetIds;
  }
}

/** Throws unless `zones` are three distinct zones of one region; returns the region. */
function validateZones(path: string, zones: readonly string[]): string {
  if (zones.length !== 3 || new Set(zones).size !== 3) {
    throw new ValidationError(path, 'availabilityZones', zones, 'allowed: exactly three distinct availability zones');
  }
  const region = zones[0].slice(0, -1);
  if (!zones.every((z) => /^[a-z]{2,4}(-gov)?-[a-z]+-\d[a-z]$/.test(z) && z.slice(0, -1) === region)) {
    throw new ValidationError(path, 'availabilityZones', zones, 'allowed: three zones of one region, e.g. eu-central-1a, eu-central-1b, eu-central-1c');
  }
  return region;
}

export class Network extends Construct implements INetwork {
  /**
   * An existing VPC, by its attributes, for a cluster placed in a network another team runs. Nothing is created:
   * its subnets must already carry what EKS and load balancers need (a NAT route from the private subnets, the
   * `kubernetes.io/role/internal-elb` tag), and its flow logs are that team's.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: NetworkAttributes): INetwork {
    return new ImportedNetwork(scope, id, attrs);
  }

  /** The VPC. */
  public readonly vpc: Vpc;
  /** The VPC's id. */
  public readonly vpcId: string;
  /** The VPC's CIDR, normalised. */
  public readonly cidr: string;
  /** The three zones, in the order given. */
  public readonly availabilityZones: readonly string[];
  /** The region the zones belong to. */
  public readonly region: string;
  /** Whether one NAT gateway serves the three zones. */
  public readonly singleNatGateway: boolean;
  /** How many NAT gateways there are: 3, or 1 with `singleNatGateway`. */
  public readonly natGatewayCount: number;
  /** Subnet CIDRs per tier, one per zone. */
  public readonly subnetCidrs: Readonly<Record<SubnetTier, readonly string[]>>;
  /** Public subnet ids, one per zone in zone order. */
  public readonly publicSubnetIds: readonly string[];
  /** Private subnet ids, one per zone in zone order. */
  public readonly privateSubnetIds: readonly string[];
  /** Intra subnet ids (no internet route), one per zone in zone order. */
  public readonly intraSubnetIds: readonly string[];
  /** Route tables of the private subnets, in zone order. */
  public readonly privateRouteTableIds: readonly string[];
  /** Days the flow logs are kept. */
  public readonly flowLogRetentionDays: number;
  /** The key of the flow-log group. */
  public readonly flowLogsKmsKey: KmsKey;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const path = this.node.path;
    const vpcCidr = parseOrThrow(path, 'cidr', props.cidr);
    if (vpcCidr.prefixLength < 16 || vpcCidr.prefixLength > 22) {
      throw new ValidationError(path, 'cidr', props.cidr, 'allowed: an IPv4 network CIDR with a prefix from /16 to /22');
    }
    const zones = props.availabilityZones;
    const region = validateZones(path, zones);
    this.cidr = vpcCidr.text;
    this.availabilityZones = [...zones];
    this.region = region;
    this.singleNatGateway = props.singleNatGateway ?? false;
    this.natGatewayCount = this.singleNatGateway ? 1 : 3;
    this.flowLogRetentionDays = props.flowLogRetentionDays ?? 90;
    requireLogRetention(path, 'flowLogRetentionDays', this.flowLogRetentionDays);

    const carved: Record<SubnetTier, Cidr[]> = carvedSubnetCidrs(vpcCidr);
    const chosen = {} as Record<SubnetTier, Cidr[]>;
    for (const tier of TIERS) {
      const explicit = props.subnetCidrs?.[tier];
      if (explicit === undefined) {
        chosen[tier] = carved[tier];
        continue;
      }
      const field = `subnetCidrs.${tier}`;
      if (explicit.length !== 3) {
        throw new ValidationError(path, field, explicit, 'allowed: three CIDRs, one per availability zone');
      }
      chosen[tier] = explicit.map((text, i) => {
        const c = parseOrThrow(path, `${field}[${i}]`, text);
        if (c.prefixLength > 28 || c.network < vpcCidr.network || c.network + 2 ** (32 - c.prefixLength) > vpcCidr.network + 2 ** (32 - vpcCidr.prefixLength)) {
          throw new ValidationError(path, `${field}[${i}]`, text, `allowed: a block of /28 or larger inside the VPC's ${vpcCidr.text}`);
        }
        return c;
      });
    }
    const all = TIERS.flatMap((tier) => chosen[tier].map((c, i) => ({ field: `subnetCidrs.${tier}[${i}]`, cidr: c, explicit: props.subnetCidrs?.[tier] !== undefined })));
    for (let a = 0; a < all.length; a++) {
      for (let b = a + 1; b < all.length; b++) {
        if (cidrsOverlap(all[a].cidr, all[b].cidr)) {
          // blame the block the user chose rather than a carved default
          const [first, second] = all[b].explicit ? [all[a], all[b]] : [all[b], all[a]];
          throw new ValidationError(path, second.field, second.cidr.text, `allowed: a CIDR that does not overlap ${first.field} (${first.cidr.text})`);
        }
      }
    }
    this.subnetCidrs = { public: chosen.public.map((c) => c.text), private: chosen.private.map((c) => c.text), intra: chosen.intra.map((c) => c.text) };

    this.flowLogsKmsKey =
      props.flowLogsKmsKey ??
      new KmsKey(this, 'FlowLogsKey', {
        alias: `${props.clusterName}-vpc-flow-logs`,
        description: `VPC flow logs of ${props.clusterName}`,
        allowServicePrincipals: [`logs.${region}.amazonaws.com`],
        accountId: props.accountId,
        partition: arnPartition(region),
      });

    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };
    this.vpc = new Vpc(this, 'Resource', {
      cidrBlock: this.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.clusterName },
    });
    this.vpcId = this.vpc.id;

    // the default security group stays, without any rule: nothing can use it by accident
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${props.clusterName}-default-no-rules` },
    });

    const igw = new InternetGateway(this, 'InternetGateway', { vpcId: this.vpc.id, tags: { Name: props.clusterName } });

    const subnets: Record<SubnetTier, Subnet[]> = { public: [], private: [], intra: [] };
    const natGateways: NatGateway[] = [];
    const privateRouteTables: RouteTable[] = [];
    zones.forEach((zone, i) => {
      const zoneScope = new Construct(this, zone);
      for (const tier of TIERS) {
        const roleTag: Record<string, string> =
          tier === 'public' ? { 'kubernetes.io/role/elb': '1', ...clusterTag } : tier === 'private' ? { 'kubernetes.io/role/internal-elb': '1', ...clusterTag } : {};
        subnets[tier].push(
          new Subnet(zoneScope, `${capitalize(tier)}Subnet`, {
            vpcId: this.vpc.id,
            availabilityZone: zone,
            cidrBlock: this.subnetCidrs[tier][i],
            // no subnet hands out public IPs: the NAT gateways have their EIPs, load balancers get theirs from AWS
            mapPublicIpOnLaunch: false,
            tags: { Name: `${props.clusterName}-${tier}-${zone}`, ...roleTag },
          }),
        );
      }
      if (!this.singleNatGateway || i === 0) {
        const eip = new Eip(zoneScope, 'NatEip', { domain: 'vpc', tags: { Name: `${props.clusterName}-nat-${zone}` } });
        natGateways.push(
          new NatGateway(zoneScope, 'NatGateway', {
            allocationId: eip.allocationId,
            subnetId: subnets.public[i].id,
            tags: { Name: `${props.clusterName}-${zone}` },
            dependsOn: [igw],
          }),
        );
      }
    });

    zones.forEach((zone, i) => {
      const zoneScope = this.node.findChild(zone);
      for (const tier of TIERS) {
        const table = new RouteTable(zoneScope, `${capitalize(tier)}RouteTable`, {
          vpcId: this.vpc.id,
          tags: { Name: `${props.clusterName}-${tier}-${zone}` },
        });
        new RouteTableAssociation(zoneScope, `${capitalize(tier)}RouteTableAssociation`, { subnetId: subnets[tier][i].id, routeTableId: table.id });
        if (tier === 'public') {
          new Route(zoneScope, 'PublicDefaultRoute', { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
        } else if (tier === 'private') {
          const nat = natGateways[this.singleNatGateway ? 0 : i];
          new Route(zoneScope, 'PrivateDefaultRoute', { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });
          privateRouteTables.push(table);
        }
        // intra: no route out of the VPC
      }
    });

    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.intraSubnetIds = subnets.intra.map((s) => s.id);
    this.privateRouteTableIds = privateRouteTables.map((t) => t.id);

    new VpcEndpoint(this, 'S3Endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: this.privateRouteTableIds as string[],
      tags: { Name: `${props.clusterName}-s3` },
    });

    this.addFlowLogs(props.clusterName);
  }

  private addFlowLogs(clusterName: string): void {
    const scope = new Construct(this, 'FlowLogs');
    const group = new CloudwatchLogGroup(scope, 'LogGroup', {
      name: `/aws/vpc-flow-logs/${clusterName}`,
      retentionInDays: this.flowLogRetentionDays,
      kmsKeyId: this.flowLogsKmsKey.keyArn,
    });
    const role = new IamRole(scope, 'Role', {
      name: `${clusterName}-vpc-flow-logs`,
      assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com'),
    });
    new IamRolePolicy(scope, 'RolePolicy', {
      name: 'write-flow-logs',
      role: role.name,
      policy: policyDocument([
        {
          actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [`${group.arn}:*`],
        },
        { actions: ['logs:DescribeLogGroups'], resources: [group.arn] },
      ]),
    });
    new FlowLog(scope, 'Resource', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${clusterName}-vpc` },
    });
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function parseOrThrow(path: string, field: string, text: string): Cidr {
  const parsed = tryParseCidr(text);
  if (typeof parsed === 'string') {
    throw new ValidationError(path, field, text, `allowed: an IPv4 network CIDR a.b.c.d/n without host bits (${parsed})`);
  }
  return parsed;
}
