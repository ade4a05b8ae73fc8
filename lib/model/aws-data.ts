/**
 * What AWS has, as data: the regions and the EC2 instance families that EKS managed node groups can run. The model
 * refuses a region or an instance type outside these tables, so that a typo (`eu-centrall-1`, `m5.xlarg`) fails
 * at synth instead of at `terraform apply`. Update the tables when AWS launches a region or a family; a user who
 * needs one first can pass `allowUnlistedInstanceTypes` (see NodeGroupConfig).
 */

/** AWS regions by partition (as of 2026-11). */
export const AWS_REGIONS: Readonly<Record<'aws' | 'aws-us-gov' | 'aws-cn' | 'aws-eusc', readonly string[]>> = {
  'aws': [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1',
    'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1',
    'us-east-2', 'us-west-1', 'us-west-2',
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-eusc': ['eusc-de-east-1'],
};

/** Every AWS region name. */
export const ALL_AWS_REGIONS: readonly string[] = Object.values(AWS_REGIONS).flat().sort();

/** The partition of a region (`aws`, `aws-us-gov`, `aws-cn`, `aws-eusc`), or undefined for a region AWS does not have. */
export function partitionOf(region: string): keyof typeof AWS_REGIONS | undefined {
  return (Object.keys(AWS_REGIONS) as (keyof typeof AWS_REGIONS)[]).find((p) => AWS_REGIONS[p].includes(region));
}

/**
 * EC2 instance families (the part before the dot) that run EKS worker nodes: current general purpose, compute,
 * memory, burstable, storage and accelerated families, x86 and Graviton.
 */
export const EC2_INSTANCE_FAMILIES: readonly string[] = [
  // general purpose
  'm5', 'm5a', 'm5ad', 'm5d', 'm5dn', 'm5n', 'm5zn', 'm6a', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7a', 'm7g', 'm7gd', 'm7i', 'm7i-flex',
  'm8a', 'm8g', 'm8gd', 'm8i', 'm8i-flex', 'mac2',
  'a1', 't3', 't3a', 't4g',
  // compute optimized
  'c5', 'c5a', 'c5ad', 'c5d', 'c5n', 'c6a', 'c6g', 'c6gd', 'c6gn', 'c6i', 'c6id', 'c6in', 'c7a', 'c7g', 'c7gd', 'c7gn', 'c7i', 'c7i-flex',
  'c8a', 'c8g', 'c8gd', 'c8gn', 'c8i', 'c8i-flex',
  // memory optimized
  'r5', 'r5a', 'r5ad', 'r5b', 'r5d', 'r5dn', 'r5n', 'r6a', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7a', 'r7g', 'r7gd', 'r7i', 'r7iz',
  'r8a', 'r8g', 'r8gd', 'r8i', 'r8i-flex', 'x2gd', 'x2idn', 'x2iedn', 'x2iezn', 'x8g', 'z1d', 'u7i-6tb', 'u7i-8tb', 'u7i-12tb',
  // storage optimized
  'i3', 'i3en', 'i4g', 'i4i', 'i7i', 'i7ie', 'i8g', 'im4gn', 'is4gen', 'd3', 'd3en',
  // accelerated
  'g4ad', 'g4dn', 'g5', 'g5g', 'g6', 'g6e', 'gr6', 'inf1', 'inf2', 'p3', 'p4d', 'p5', 'p5e', 'p5en', 'p6-b200', 'trn1', 'trn1n', 'trn2',
];

const SIZES = /^(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(-\d+xl)?)$/;

/** Whether `type` (`m7i.xlarge`) is an instance type of a known family with a well-formed size. */
export function isKnownInstanceType(type: string): boolean {
  const dot = type.indexOf('.');
  return dot > 0 && EC2_INSTANCE_FAMILIES.includes(type.slice(0, dot)) && SIZES.test(type.slice(dot + 1));
}

/** The retention periods CloudWatch Logs offers, in days (`PutRetentionPolicy`; the Terraform provider refuses others). */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
