/**
 * The ARN partition of a region: `aws` for the commercial regions, `aws-us-gov` for GovCloud (US), `aws-cn` for
 * China, `aws-eusc` for the European Sovereign Cloud. Every ARN the library writes starts `arn:<partition>:`.
 */
import { AWS_REGIONS, partitionOf } from './aws-data';

/** An AWS partition, the second field of an ARN. */
export type AwsPartition = keyof typeof AWS_REGIONS;

/**
 * The partition of a region: from the table of `lib/model/aws-data.ts`, or, for a region newer than the table,
 * from its prefix (`us-gov-` → aws-us-gov, `cn-` → aws-cn, `eusc-` → aws-eusc, anything else → aws).
 */
export function arnPartition(region: string): AwsPartition {
  const known = partitionOf(region);
  if (known !== undefined) {
    return known;
  }
  if (region.startsWith('us-gov-')) {
    return 'aws-us-gov';
  }
  if (region.startsWith('cn-')) {
    return 'aws-cn';
  }
  if (region.startsWith('eusc-')) {
    return 'aws-eusc';
  }
  return 'aws';
}
