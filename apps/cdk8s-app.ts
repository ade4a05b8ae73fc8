/**
 * The entry `cdk8s.yaml` names: synthesizes every environment of the reference platform into `dist/<env>/`,
 * atomically and through the gate (all environments are written and checked before any folder is replaced).
 * The same as `node build/apps/main.js --only kubernetes`.
 */
import * as path from 'node:path';
import { synthesizeAll } from './main';

synthesizeAll({ environments: [], outdir: path.resolve(__dirname, '..', '..'), only: 'kubernetes' });
