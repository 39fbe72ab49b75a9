// Imported by lifecycle.test.mjs where Node parses `await using` (explicit resource management).
export default async function awaitUsing(startEmulator) {
  let port;
  {
    await using emu = await startEmulator();
    port = emu.port;
  }
  return port;
}
