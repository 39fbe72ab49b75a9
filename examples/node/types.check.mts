// Compiled, never run (`npm run types`, `tsc -p .`): the package's TypeScript types as a
// TypeScript user meets them, `await using` included.
import { startEmulator, connectEmulator, ControlError, type Emulator, type Key, type RequestEntry } from 'resourcemanager-emulator';
import RM from '@alicloud/resourcemanager20200331';

export async function sample(): Promise<number | null> {
  await using emu = await startEmulator({ port: 0, fixtures: '../worlds/partner.toml', flags: { workers: 2 } });
  const invitee: Key = emu.keys.invitee;
  const huaweiManagement: Key | undefined = emu.keys.huawei.byId('EMUHWMANAGEMENT00001');
  await emu.clock.freeze();
  await emu.clock.advance('14d');
  await emu.clock.set(new Date('2030-01-01T00:00:00Z'));
  const rule = await emu.faults.add({ action: 'AcceptHandshake', code: 'Throttling.User', times: 1, retryAfterMs: 500 });
  await emu.faults.delete(rule.id);
  const client = emu.client(invitee, { signature: 'v1' }); // an @alicloud/resourcemanager20200331 client
  await client.acceptHandshake(new RM.AcceptHandshakeRequest({ handshakeId: 'h-Subs1diaryInv001' }));
  const entries: RequestEntry[] = await emu.assertCalled('AcceptHandshake', { times: 1, code: 'none', HandshakeId: 'h-Subs1diaryInv001' });
  await emu.load({ ...(await emu.state()), handshakes: [] });
  await emu.reset();
  const other: Emulator = await connectEmulator(emu.endpoint);
  const error = new ControlError();
  console.log(huaweiManagement?.accountId, entries[0].status, error.status, emu.endpoint);
  return other.stop();
}
