/**
 * Services with AWS permissions can reach AWS, and nothing else opens: the mesh (ServiceEntry and Sidecar egress),
 * the NetworkPolicy and the service account agree with the VPC endpoints of the environment's stack.
 */
import { Testing as Cdk8sTesting } from 'cdk8s';
import { Testing as CdktfTesting } from 'cdktf';
import { environments, platform, services, imageSources } from './fixtures/shop';
import { PlatformStack } from '../lib/aws/platform-stack';
import { AwsServiceEndpoints } from '../lib/aws/vpc-endpoints';
import { Network } from '../lib/aws/network';
import { PlatformChart } from '../lib/k8s/platform-chart';
import { awsExternalEndpoints, awsServiceEndpoints } from '../lib/model/aws-endpoints';
import { Platform } from '../lib/model/platform';

type Manifest = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: Record<string, any> };

const prod = platform.environment('prod');

function chartOf(p: Platform, env: string): Manifest[] {
  return Cdk8sTesting.synth(new PlatformChart(Cdk8sTesting.app(), 'platform', { platform: p, environment: env, mesh: { analyze: false } })) as Manifest[];
}

const find = (m: Manifest[], kind: string, ns: string, name: string) => m.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);

describe('AWS endpoints from awsPermissions', () => {
  test('STS first, then each AWS service the actions name, with its interface endpoint where AWS offers one', () => {
    expect(awsServiceEndpoints('eu-central-1', [{ actions: ['ses:SendEmail', 's3:GetObject', 'S3:PutObject'], resources: ['x'] }])).toEqual([
      { prefix: 'sts', hosts: ['sts.eu-central-1.amazonaws.com'], interfaceEndpoint: 'sts' },
      { prefix: 's3', hosts: ['s3.eu-central-1.amazonaws.com', '*.s3.eu-central-1.amazonaws.com'], interfaceEndpoint: undefined },
      { prefix: 'ses', hosts: ['email.eu-central-1.amazonaws.com'], interfaceEndpoint: undefined },
    ]);
    expect(awsServiceEndpoints('cn-north-1', [{ actions: ['sqs:SendMessage'], resources: ['x'] }]).map((e) => e.hosts[0])).toEqual(['sts.cn-north-1.amazonaws.com.cn', 'sqs.cn-north-1.amazonaws.com.cn']);
    expect(awsServiceEndpoints('eu-central-1', [])).toEqual([]);
  });

  test('behind an interface endpoint the VPC is the only destination; without one, public addresses', () => {
    const eps = awsExternalEndpoints('eu-central-1', '10.30.0.0/16', [{ actions: ['ses:SendEmail'], resources: ['x'] }]);
    expect(eps).toEqual([
      { host: 'sts.eu-central-1.amazonaws.com', port: 443, protocol: 'tls', cidrs: ['10.30.0.0/16'] },
      { host: 'email.eu-central-1.amazonaws.com', port: 443, protocol: 'tls' },
    ]);
    expect(awsExternalEndpoints('eu-central-1', '10.30.0.0/16', [{ actions: ['sqs:SendMessage'], resources: ['x'] }], false).every((e) => e.cidrs === undefined)).toBe(true);
  });

  test('the environment needs the interface endpoints of STS and of the services the catalog calls', () => {
    // STS for the IRSA roles, Secrets Manager because payment reads a secret (External Secrets syncs it)
    expect(platform.interfaceEndpointsOf(prod)).toEqual(['secretsmanager', 'sts']);
    const off = new Platform({ ...imageSources, name: 'shop', services, environments: environments.map((e) => ({ ...e, privateAwsEndpoints: false })) });
    expect(off.interfaceEndpointsOf(off.environment('prod'))).toEqual([]);
  });
});

describe('a service with AWS permissions can reach AWS in every environment', () => {
  for (const env of platform.environments) {
    test(`${env.name}: notification (SES) and recommendation (S3) get ServiceEntries, Sidecar egress, NetworkPolicy egress and the regional STS annotation`, () => {
      const m = chartOf(platform, env.name);
      const sts = `sts.${env.region}.amazonaws.com`;
      for (const [name, hosts] of [['notification', [sts, `email.${env.region}.amazonaws.com`]], ['recommendation', [sts, `s3.${env.region}.amazonaws.com`, `*.s3.${env.region}.amazonaws.com`]]] as const) {
        const entries = m.filter((o) => o.kind === 'ServiceEntry' && o.metadata.namespace === 'shop' && o.metadata.name.startsWith(`${name}-`) && (o.spec?.hosts as string[]).some((h) => hosts.includes(h)));
        expect(entries.flatMap((e) => e.spec!.hosts as string[]).sort()).toEqual([...hosts].sort());
        for (const e of entries) {
          expect(e.spec).toMatchObject({ location: 'MESH_EXTERNAL', ports: [{ number: 443, protocol: 'TLS' }], resolution: (e.spec!.hosts as string[])[0].startsWith('*.') ? 'NONE' : 'DNS' });
        }
        const sidecarHosts = find(m, 'Sidecar', 'shop', name)!.spec!.egress[0].hosts as string[];
        for (const h of hosts) {
          expect(sidecarHosts).toContain(`shop/${h}`);
        }
        // STS through its interface endpoint: 443 to the VPC
        const egress = find(m, 'NetworkPolicy', 'shop', name)!.spec!.egress as { to: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[];
        expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: env.vpcCidr } }], ports: [{ port: 443, protocol: 'TCP' }] });
        // SES's API and S3 (through the gateway endpoint) are on public addresses: 443 to them, nothing else
        expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ port: 443, protocol: 'TCP' }] });
        expect(egress).toHaveLength(name === 'recommendation' ? 3 : 2); // recommendation also calls catalog
        const sa = m.find((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === 'shop' && o.metadata.annotations?.['eks.amazonaws.com/role-arn']?.endsWith(`-shop-${name}`));
        expect(sa?.metadata.annotations?.['eks.amazonaws.com/sts-regional-endpoints']).toBe('true');
      }
      // a service without AWS permissions opens nothing towards AWS
      const cart = find(m, 'Sidecar', 'shop', 'cart')!.spec!.egress[0].hosts as string[];
      expect(cart.some((h) => h.includes('amazonaws.com'))).toBe(false);
    });
  }
});

describe('AwsServiceEndpoints', () => {
  test('creates interface endpoints with private DNS in the private subnets, HTTPS from the VPC only', () => {
    const out = JSON.parse(CdktfTesting.synthScope((scope) => {
      const network = new Network(scope, 'Network', { clusterName: 'shop-prod', cidr: '10.30.0.0/16', availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], accountId: '333333333333' });
      new AwsServiceEndpoints(scope, 'AwsEndpoints', { network, vpcCidr: '10.30.0.0/16', services: ['sts', 'sqs'], namePrefix: 'shop-prod' });
    })) as { resource: Record<string, Record<string, Record<string, any>>> };
    const endpoints = Object.values(out.resource.aws_vpc_endpoint).filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(['com.amazonaws.eu-central-1.sqs', 'com.amazonaws.eu-central-1.sts']);
    for (const e of endpoints) {
      expect(e).toMatchObject({ vpc_endpoint_type: 'Interface', private_dns_enabled: true });
      expect(e.subnet_ids).toHaveLength(3);
    }
    const sg = Object.values(out.resource.aws_security_group)[0];
    expect(sg.ingress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.30.0.0/16'] })]);
  });

  test('fails when a service name is not an endpoint short name', () => {
    expect(() => CdktfTesting.synthScope((scope) => {
      const network = new Network(scope, 'Network', { clusterName: 'shop-prod', cidr: '10.30.0.0/16', availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], accountId: '333333333333' });
      new AwsServiceEndpoints(scope, 'AwsEndpoints', { network, vpcCidr: '10.30.0.0/16', services: ['com.amazonaws.eu-central-1.sts'], namePrefix: 'shop-prod' });
    })).toThrow(/AwsEndpoints: services is "com.amazonaws.eu-central-1.sts"; allowed: endpoint service short names/);
  });
});

describe('PlatformStack: the interface endpoints the catalog needs', () => {
  test('prod\'s stack has the interface endpoints of STS and Secrets Manager in the private subnets (the only ones its services need)', () => {
    const stack = new PlatformStack(CdktfTesting.app(), 'prod', { platform, environment: prod });
    const out = JSON.parse(CdktfTesting.synth(stack)) as { resource: Record<string, Record<string, Record<string, any>>> };
    const interfaces = Object.values(out.resource.aws_vpc_endpoint).filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => e.service_name)).toEqual(['com.amazonaws.eu-central-1.secretsmanager', 'com.amazonaws.eu-central-1.sts']);
    expect(stack.awsEndpoints?.endpoints.sts).toBeDefined();
    expect(stack.awsEndpoints?.endpoints.secretsmanager).toBeDefined();
  });

  test('privateAwsEndpoints: false creates none', () => {
    const off = new Platform({ ...imageSources, name: 'shop', services, environments: environments.map((e) => ({ ...e, privateAwsEndpoints: false })) });
    const stack = new PlatformStack(CdktfTesting.app(), 'prod', { platform: off, environment: off.environment('prod') });
    const out = JSON.parse(CdktfTesting.synth(stack)) as { resource: Record<string, Record<string, Record<string, any>>> };
    expect(Object.values(out.resource.aws_vpc_endpoint).filter((e) => e.vpc_endpoint_type === 'Interface')).toEqual([]);
  });
});

describe('one setting for the gateway and monitoring namespaces', () => {
  test('moving them moves the Gateway, the gateway add-on and every rule that admits them', () => {
    const m = Cdk8sTesting.synth(new PlatformChart(Cdk8sTesting.app(), 'platform', { platform, environment: 'prod', mesh: { analyze: false, gateway: { namespace: 'edge' }, monitoringNamespace: 'observability' } })) as Manifest[];
    expect(m.find((o) => o.kind === 'Gateway')?.metadata.namespace).toBe('edge');
    const storefrontPolicy = JSON.stringify(find(m, 'NetworkPolicy', 'shop', 'storefront')!.spec);
    expect(storefrontPolicy).toContain('"kubernetes.io/metadata.name":"edge"');
    expect(storefrontPolicy).toContain('"kubernetes.io/metadata.name":"observability"');
    expect(storefrontPolicy).not.toContain('"istio-ingress"');
    const ap = JSON.stringify(find(m, 'AuthorizationPolicy', 'shop', 'storefront')!.spec);
    expect(ap).toContain('cluster.local/ns/edge/sa/istio-ingressgateway');
    expect(ap).toContain('"observability"');
    const gatewayApp = m.find((o) => o.kind === 'Application' && (o.spec?.destination as { namespace?: string } | undefined)?.namespace === 'edge');
    expect(gatewayApp).toBeDefined();
  });
});
