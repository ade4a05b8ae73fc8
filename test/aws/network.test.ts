import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Network, type NetworkProps } from '../../lib/aws/network';

interface Subnet { cidr_block: string; availability_zone: string; map_public_ip_on_launch: boolean; tags: Record<string, string> }
interface Parsed { resource: Record<string, Record<string, Record<string, unknown>>> }

const base: NetworkProps = {
  clusterName: 'shop-prod',
  cidr: '10.30.0.0/16',
  availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  accountId: '333333333333',
};

function build(props: Partial<NetworkProps>): void {
  Testing.synthScope((scope) => {
    new Network(scope, 'Network', { ...base, ...props });
  });
}

describe('Network', () => {
  let synth: string;
  let parsed: Parsed;
  let subnets: Subnet[];
  let devParsed: Parsed;
  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      new Network(scope, 'Network', base);
    });
    parsed = JSON.parse(synth) as Parsed;
    subnets = Object.values(parsed.resource.aws_subnet) as unknown as Subnet[];
    devParsed = JSON.parse(Testing.synthScope((scope) => {
      new Network(scope, 'Network', { ...base, clusterName: 'shop-dev', cidr: '10.10.0.0/16', singleNatGateway: true });
    })) as Parsed;
  });

  it('has a public, a private and an intra subnet in each of three zones, carved without overlap', () => {
    expect(subnets).toHaveLength(9);
    const byTier = (tier: string) => subnets.filter((s) => s.tags.Name.startsWith(`shop-prod-${tier}-`));
    for (const tier of ['public', 'private', 'intra']) {
      expect(new Set(byTier(tier).map((s) => s.availability_zone))).toEqual(new Set(base.availabilityZones));
    }
    expect(byTier('private').map((s) => s.cidr_block)).toEqual(['10.30.0.0/19', '10.30.32.0/19', '10.30.64.0/19']);
    expect(byTier('public').map((s) => s.cidr_block)).toEqual(['10.30.96.0/22', '10.30.100.0/22', '10.30.104.0/22']);
    expect(byTier('intra').map((s) => s.cidr_block)).toEqual(['10.30.112.0/22', '10.30.116.0/22', '10.30.120.0/22']);
  });

  it('tags subnets for load balancer discovery and gives no subnet public IPs on launch', () => {
    for (const s of subnets) {
      const tier = s.tags.Name.split('-')[2];
      expect(s.map_public_ip_on_launch).toBe(false);
      if (tier === 'public') expect(s.tags['kubernetes.io/role/elb']).toBe('1');
      if (tier === 'private') expect(s.tags['kubernetes.io/role/internal-elb']).toBe('1');
      if (tier !== 'intra') expect(s.tags['kubernetes.io/cluster/shop-prod']).toBe('shared');
    }
  });

  it('has one NAT gateway per zone, each with an EIP, and one in dev with singleNatGateway', () => {
    expect(Object.keys(parsed.resource.aws_nat_gateway)).toHaveLength(3);
    expect(Object.keys(parsed.resource.aws_eip)).toHaveLength(3);
    expect(Object.keys(devParsed.resource.aws_nat_gateway)).toHaveLength(1);
    const privateRoutes = Object.values(devParsed.resource.aws_route).filter((r) => r.nat_gateway_id !== undefined);
    expect(privateRoutes).toHaveLength(3);
    expect(new Set(privateRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  it('routes each private subnet through its own zone\'s NAT gateway and gives intra subnets no route out', () => {
    const routes = Object.values(parsed.resource.aws_route);
    expect(new Set(routes.filter((r) => r.nat_gateway_id !== undefined).map((r) => r.nat_gateway_id)).size).toBe(3);
    expect(routes).toHaveLength(6);
    expect(Object.keys(parsed.resource.aws_route_table)).toHaveLength(9);
  });

  it('keeps the default security group without rules', () => {
    expect(synth).toHaveResourceWithProperties(DefaultSecurityGroup, { ingress: [], egress: [] });
  });

  it('writes flow logs to an encrypted log group with retention', () => {
    expect(synth).toHaveResourceWithProperties(FlowLog, { traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    const group = Object.values(parsed.resource.aws_cloudwatch_log_group)[0];
    expect(group.retention_in_days).toBe(90);
    expect(group.kms_key_id).toMatch(/aws_kms_key\./);
  });

  it('writes the flow-log key policy in the partition of the region', () => {
    expect(String(Object.values(parsed.resource.aws_kms_key)[0].policy)).toContain('"arn:aws:iam::333333333333:root"');
    const gov = JSON.parse(Testing.synthScope((scope) => {
      new Network(scope, 'Network', { ...base, availabilityZones: ['us-gov-west-1a', 'us-gov-west-1b', 'us-gov-west-1c'] });
    })) as Parsed;
    const policy = String(Object.values(gov.resource.aws_kms_key)[0].policy);
    expect(policy).toContain('"arn:aws-us-gov:iam::333333333333:root"');
    expect(policy).not.toContain('arn:aws:');
  });

  it('adds an S3 gateway endpoint on the private route tables', () => {
    expect(synth).toHaveResourceWithProperties(VpcEndpoint, { service_name: 'com.amazonaws.eu-central-1.s3', vpc_endpoint_type: 'Gateway' });
    expect((Object.values(parsed.resource.aws_vpc_endpoint)[0].route_table_ids as string[])).toHaveLength(3);
  });

  it('fails when the VPC CIDR is invalid', () => {
    expect(() => build({ cidr: '10.30.0.1/16' })).toThrow(/^stack\/Network: cidr is "10\.30\.0\.1\/16"; allowed: an IPv4 network CIDR/);
  });

  it('fails when explicit subnet CIDRs overlap', () => {
    expect(() => build({ subnetCidrs: { public: ['10.30.96.0/22', '10.30.100.0/22', '10.30.0.0/24'] } })).toThrow(
      /^stack\/Network: subnetCidrs\.public\[2\] is "10\.30\.0\.0\/24"; allowed: a CIDR that does not overlap subnetCidrs\.private\[0\] \(10\.30\.0\.0\/19\)/,
    );
  });

  it('fails when an explicit subnet lies outside the VPC', () => {
    expect(() => build({ subnetCidrs: { intra: ['10.31.0.0/24', '10.30.200.0/24', '10.30.201.0/24'] } })).toThrow(/^stack\/Network: subnetCidrs\.intra\[0\] is "10\.31\.0\.0\/24"; allowed: a block of \/28 or larger inside the VPC's 10\.30\.0\.0\/16/);
  });

  it('fails when there are not exactly three zones', () => {
    expect(() => build({ availabilityZones: ['eu-central-1a', 'eu-central-1b'] })).toThrow(/^stack\/Network: availabilityZones is \["eu-central-1a","eu-central-1b"\]; allowed: exactly three distinct availability zones/);
  });

  it('fails when a zone is repeated', () => {
    expect(() => build({ availabilityZones: ['eu-central-1a', 'eu-central-1a', 'eu-central-1b'] })).toThrow(/^stack\/Network: availabilityZones is .*; allowed: exactly three distinct/);
  });
});
