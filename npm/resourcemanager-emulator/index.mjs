// The ES module entry point: the same API as index.js (`import { startEmulator } from 'resourcemanager-emulator'`).
import emulator from './index.js';

export const {
  startEmulator,
  connectEmulator,
  findBinary,
  platformPackage,
  Emulator,
  EmulatorError,
  ControlError,
  ALIBABA_ROLES,
  HUAWEI_ROLES,
} = emulator;
export default emulator;
