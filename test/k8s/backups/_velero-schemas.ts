/**
 * Validates synthesized Velero objects against the `openAPIV3Schema` of Velero v1.18.1's CRDs
 * (lib/k8s/backups/velero-models/crds, the files the models there are generated from); unknown fields are refused.
 */
import * as path from 'node:path';
import { crdValidators } from '../../fixtures/crd-schemas';

/** The CRD folder. */
export const VELERO_CRDS = path.join(__dirname, '..', '..', '..', 'lib', 'k8s', 'backups', 'velero-models', 'crds');

/** A validator per kind (`velero.io/v1`). */
export function veleroValidators(): Map<string, (o: unknown) => string[]> {
  return crdValidators(VELERO_CRDS);
}
