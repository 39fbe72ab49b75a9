// prepack: copies the release binary into bin/ (see README.md). Refuses a binary whose version
// is not this package's, so a pack never ships a stale build.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const { version } = require(path.join(here, 'package.json'));
const exe = `resourcemanager-emulator${process.platform === 'win32' ? '.exe' : ''}`;
const root = path.resolve(here, '..', '..');
const source = process.env.RM_EMULATOR_BINARY
  || path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release', exe);

if (!fs.existsSync(source)) {
  console.error(`copy-binary: no binary at ${source}: run \`cargo build --release\` first (or set RM_EMULATOR_BINARY)`);
  process.exit(1);
}
const reported = execFileSync(source, ['--version'], { encoding: 'utf8' }).trim();
if (reported !== `resourcemanager-emulator ${version}`) {
  console.error(`copy-binary: ${source} says "${reported}", this package is ${version}`);
  process.exit(1);
}
fs.mkdirSync(path.join(here, 'bin'), { recursive: true });
const target = path.join(here, 'bin', exe);
fs.copyFileSync(source, target);
fs.chmodSync(target, 0o755);
console.error(`copy-binary: ${source} -> ${path.relative(here, target)} (${reported})`);
