import { randomBytes } from 'node:crypto';
import { ApiClient } from '../client/api-client.ts';
import type { Config } from '../service/config/index.ts';
import type { UserService } from '../service/users/index.ts';
import { type ParticipantLog, type RunningParticipant, startParticipant } from './participant.ts';
import { participantSettings } from './settings.ts';

/**
 * The participant `imger serve` runs when `[boss] amqp_host` is set. It is a REST client of this very server,
 * acting as `[boss] user` (made with an unguessable password when missing) through a token minted at start and
 * revoked at stop, so it needs no login of its own.
 */
export async function startServedParticipant(
  config: Config,
  users: UserService,
  serverUrl: string,
  log: ParticipantLog,
): Promise<RunningParticipant> {
  const username = config.boss.user;
  if (!(await users.get(username))) {
    await users.add({ username, password: randomBytes(24).toString('base64url') });
  }
  const token = await users.createToken(username, { name: 'BOSS participant of imger serve' });
  const participant = await startParticipant({
    ...participantSettings(config),
    client: new ApiClient({ server: serverUrl, token: token.token }),
    log,
  });
  return {
    ready: participant.ready,
    async stop() {
      await participant.stop();
      await users.revokeToken(username, token.id);
    },
  };
}
