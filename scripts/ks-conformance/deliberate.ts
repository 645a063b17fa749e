/**
 * The differences from pykickstart that IMG makes on purpose, each with its reason; the README's kickstart
 * section lists the same. A conformance difference that none of these explains is a bug.
 */
import { findCommand } from '../../src/kickstart/index.ts';

export interface Difference {
  pykickstartAccepts: boolean;
  imgAccepts: boolean;
  /** pykickstart's error or warnings. */
  pykickstartSays: readonly string[];
  /** IMG's errors. */
  imgErrors: readonly string[];
}

interface Rule {
  reason: string;
  matches(difference: Difference): boolean;
}

/** The command pykickstart names when it refuses one it removed or never knew. */
function refusedCommand(messages: readonly string[]): string | undefined {
  for (const message of messages) {
    const found = /Unknown command: (\S+)|(\S+) has been removed\./.exec(message);
    if (found) return found[1] ?? found[2];
  }
  return undefined;
}

const RULES: readonly Rule[] = [
  {
    reason:
      'a command pykickstart dropped (auth, install, vnc, …) is accepted with a warning that it is ignored: ' +
      'RHEL-era and MeeGo files still carry them and they change nothing in an image',
    matches: (d) => {
      const name = refusedCommand(d.pykickstartSays);
      return (
        !d.pykickstartAccepts &&
        d.imgAccepts &&
        name !== undefined &&
        findCommand(name)?.ignored !== undefined
      );
    },
  },
  {
    reason:
      'a size, count or id out of its range (part --size=0, user --uid=-1) is refused at once: pykickstart ' +
      'leaves it to the installer or the builder, which fail on it after the work has started',
    matches: (d) =>
      d.pykickstartAccepts &&
      !d.imgAccepts &&
      d.imgErrors.length > 0 &&
      d.imgErrors.every((error) => / expects a number of at (least|most) /.test(error)),
  },
  {
    reason:
      'module (RHEL 8 and 9 module streams) is kept with a warning: pykickstart removed it with Fedora modularity, ' +
      'but RHEL 8 and 9 kickstarts use it',
    matches: (d) => !d.pykickstartAccepts && d.imgAccepts && refusedCommand(d.pykickstartSays) === 'module',
  },
];

export function deliberateDifference(difference: Difference): string | undefined {
  return RULES.find((rule) => rule.matches(difference))?.reason;
}
