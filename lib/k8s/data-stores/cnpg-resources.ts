/**
 * Typed CloudNativePG custom resources (`postgresql.cnpg.io/v1`): Cluster and ScheduledBackup. Each spec is the
 * interface generated from CloudNativePG v1.30.0's CRDs into `./cnpg-models` (`npm run generate:cnpg`; type-only
 * imports: nothing generated runs). Argo CD applies them beside the operator's Application, which installs the CRDs.
 */
import type { Construct } from 'constructs';
import { TypedCustomResource, type CustomResourceProps } from '../_custom-resource';
import type { ICluster } from './cnpg-models/postgresql.cnpg.io/v1/Cluster.js' with { 'resolution-mode': 'import' };
import type { IScheduledBackup } from './cnpg-models/postgresql.cnpg.io/v1/ScheduledBackup.js' with { 'resolution-mode': 'import' };

/** The API version of the CloudNativePG objects. */
export const CNPG_API_VERSION = 'postgresql.cnpg.io/v1';
/** The spec of a CloudNativePG Cluster (v1.30.0). */
export type CnpgClusterSpec = NonNullable<ICluster['spec']>;
/** The spec of a ScheduledBackup. */
export type CnpgScheduledBackupSpec = NonNullable<IScheduledBackup['spec']>;

/** A CloudNativePG `Cluster`. */
export class CnpgCluster extends TypedCustomResource<ICluster> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ICluster>) {
    super(scope, id, CNPG_API_VERSION, 'Cluster', props);
  }
}

/** A CloudNativePG `ScheduledBackup`. */
export class CnpgScheduledBackup extends TypedCustomResource<IScheduledBackup> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<IScheduledBackup>) {
    super(scope, id, CNPG_API_VERSION, 'ScheduledBackup', props);
  }
}
