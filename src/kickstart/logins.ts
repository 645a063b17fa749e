import type { Kickstart } from './model.ts';
import { commandOf, commandsOf } from './query.ts';

/** Who can log in to the built system, as the kickstart set it: never the password itself. */
export interface KickstartLogins {
  /** root has a password (plain or crypted) that the kickstart set; false: locked or not set. */
  rootPassword: boolean;
  /** Users the kickstart makes, and whether each has a password of its own. */
  users: { name: string; password: boolean }[];
}

/** As the builder reads them: `--lock` or no password is a locked account. */
export function kickstartLogins(ks: Kickstart): KickstartLogins {
  const hasPassword = (value: string | undefined, lock: boolean | undefined) =>
    value !== undefined && value !== '' && lock !== true;
  const rootpw = commandOf(ks, 'rootpw');
  return {
    rootPassword: rootpw !== undefined && hasPassword(rootpw.args[0], rootpw.options.lock),
    users: commandsOf(ks, 'user').map((user) => ({
      name: user.options.name ?? '',
      password: hasPassword(user.options.password, user.options.lock),
    })),
  };
}
