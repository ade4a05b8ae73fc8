/**
 * Where a service's AWS calls go: from the actions of its `awsPermissions`, the AWS services it calls, STS (the
 * IRSA token exchange) first. Each either has a VPC interface endpoint with private DNS that the environment's stack
 * creates (its name then resolves to addresses inside the VPC, and egress to the VPC's CIDR on 443 reaches it), or
 * is reached over the internet through the NAT gateways (the mesh then still admits only its host names; the
 * NetworkPolicy, which cannot name hosts, opens 443 to public addresses).
 */
import { partitionOf } from './aws-data';
import type { ExternalEndpointSpec, IamStatementSpec } from './service';
import { PortProtocol } from './service';

/** One AWS service a workload calls. */
export interface AwsServiceEndpoint {
  /** The IAM action prefix, e.g. `s3`, `sts`. */
  readonly prefix: string;
  /** The host names its SDK calls in the region (the regional endpoint; S3 also its virtual-hosted names). */
  readonly hosts: readonly string[];
  /**
   * The name of its VPC interface endpoint service (`com.amazonaws.<region>.<name>`) when the platform creates one,
   * or undefined when it is reached over the internet.
   */
  readonly interfaceEndpoint?: string;
}

/**
 * IAM prefixes whose APIs have interface endpoints with private DNS for the regional host name, by the endpoint's
 * short name. Others go over public addresses: SES's API (it has only an SMTP endpoint), and S3, which the VPC reaches
 * through its gateway endpoint (no NAT charge; with a gateway endpoint beside it, an S3 interface endpoint's private
 * DNS would serve only on-premises resolvers, so its addresses stay public).
 */
export const INTERFACE_ENDPOINTS: Readonly<Record<string, string>> = {
  'sts': 'sts',
  'sqs': 'sqs',
  'sns': 'sns',
  'kms': 'kms',
  'secretsmanager': 'secretsmanager',
  'ssm': 'ssm',
  'logs': 'logs',
  'cloudwatch': 'monitoring',
  'events': 'events',
  'states': 'states',
  'lambda': 'lambda',
  'kinesis': 'kinesis-streams',
  'ecr': 'ecr.api',
};

/** The API host name of a prefix where it differs from the prefix (`ses` is `email`). */
const HOST_NAMES: Readonly<Record<string, string>> = { ses: 'email', cloudwatch: 'monitoring', kinesis: 'kinesis', ecr: 'api.ecr' };

/** The DNS suffix of a region's partition. */
export function dnsSuffixOf(region: string): string {
  return partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The AWS services a set of IAM statements calls, STS first, then by prefix; empty for no statements. */
export function awsServiceEndpoints(region: string, statements: readonly IamStatementSpec[]): AwsServiceEndpoint[] {
  if (statements.length === 0) {
    return [];
  }
  const prefixes = new Set<string>();
  for (const s of statements) {
    for (const action of s.actions) {
      const colon = action.indexOf(':');
      if (colon > 0) {
        prefixes.add(action.slice(0, colon).toLowerCase());
      }
    }
  }
  prefixes.delete('sts');
  const suffix = dnsSuffixOf(region);
  return ['sts', ...[...prefixes].sort()].map((prefix) => {
    const name = HOST_NAMES[prefix] ?? prefix;
    const hosts = prefix === 's3' ? [`s3.${region}.${suffix}`, `*.s3.${region}.${suffix}`] : [`${name}.${region}.${suffix}`];
    return { prefix, hosts, interfaceEndpoint: INTERFACE_ENDPOINTS[prefix] };
  });
}

/**
 * The AWS endpoints of a service as external endpoints (443, TLS) for its mesh and NetworkPolicy: those behind an
 * interface endpoint restricted to `vpcCidr` (where the endpoint's network interfaces are), the others to public
 * addresses (the default of an external endpoint). `privateEndpoints: false` sends everything over the internet.
 */
export function awsExternalEndpoints(region: string, vpcCidr: string, statements: readonly IamStatementSpec[], privateEndpoints = true): ExternalEndpointSpec[] {
  return awsServiceEndpoints(region, statements).flatMap((e) =>
    e.hosts.map((host) => ({
      host,
      port: 443,
      protocol: PortProtocol.TLS,
      ...(privateEndpoints && e.interfaceEndpoint !== undefined ? { cidrs: [vpcCidr] } : {}),
    })),
  );
}

/**
 * The service-account annotation that makes the EKS pod identity webhook set `AWS_STS_REGIONAL_ENDPOINTS=regional`:
 * SDKs then exchange the IRSA token at `sts.<region>.amazonaws.com` (the endpoint the platform opens, and the one
 * its interface endpoint serves), never the global `sts.amazonaws.com`.
 */
export const STS_REGIONAL_ENDPOINTS_ANNOTATION = 'eks.amazonaws.com/sts-regional-endpoints';

/** The `kms:ViaService` value of Secrets Manager in a region (`secretsmanager.<region>.<dns suffix>`): keys used only through it. */
export function secretsManagerViaService(region: string): string {
  return `secretsmanager.${region}.${dnsSuffixOf(region)}`;
}
