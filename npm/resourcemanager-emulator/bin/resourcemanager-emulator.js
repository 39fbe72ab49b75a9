#!/usr/bin/env node
// `npx resourcemanager-emulator …`: runs this platform's binary with the same arguments, standard
// streams and exit status; the signals that stop a terminal program are passed on to it.
'use strict';

const { spawn } = require('node:child_process');
const { findBinary } = require('../index.js');

let binary;
try {
  binary = findBinary();
} catch (error) {
  console.error(`resourcemanager-emulator: ${error.message}`);
  process.exit(1);
}
// The handlers come first: a signal that arrives while the binary starts must reach it too.
let child;
const pending = [];
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => (child ? child.kill(signal) : pending.push(signal)));
}
child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of pending) child.kill(signal);
child.on('error', (error) => {
  console.error(`resourcemanager-emulator: cannot run ${binary}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code === null ? 1 : code);
  }
});
