/**
 * The entry `cdktf.json` runs (`npx cdktf synth`, `npx cdktf deploy <env>`):
 * synthesizes every environment of the reference platform into `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
import { platform } from './platform';
import { buildTerraformApp } from './terraform';

buildTerraformApp(platform, process.env.CDKTF_OUTDIR ?? 'cdktf.out').synth();
