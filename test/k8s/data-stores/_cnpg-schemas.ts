/**
 * Validates synthesized CloudNativePG objects against the `openAPIV3Schema` of CloudNativePG v1.30.0's CRDs
 * (lib/k8s/data-stores/cnpg-models/crds, the files the models there are generated from); unknown fields are refused.
 */
import * as path from 'node:path';
import { crdValidators } from '../../fixtures/crd-schemas';

/** The CRD folder. */
export const CNPG_CRDS = path.join(__dirname, '..', '..', '..', 'lib', 'k8s', 'data-stores', 'cnpg-models', 'crds');

/** A validator per kind (`postgresql.cnpg.io/v1`). */
export function cnpgValidators(): Map<string, (o: unknown) => string[]> {
  return crdValidators(CNPG_CRDS);
}
