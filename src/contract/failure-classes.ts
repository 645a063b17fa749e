// The failure classes, each with whose to fix it is: plain data, so a client that only shows failures (the CLI,
// mail) reads them without loading the schemas of failure.ts.

/** Whose move it is: the user's (change the kickstart, the repositories, the limits asked for) or the service's. */
export type FailureOwner = 'user' | 'service';

/** Every way a job can fail, each with whose to fix it is and what it means to the user. */
export const failureClasses = {
  'kickstart-error': { owner: 'user', title: 'the kickstart asks for something the build cannot make' },
  'package-not-found': { owner: 'user', title: 'a package is in none of the repositories searched' },
  'script-failed': { owner: 'user', title: 'a kickstart script with --erroronfail failed' },
  'repository-unreachable': { owner: 'user', title: 'a repository could not be read' },
  timeout: { owner: 'user', title: 'the build ran longer than the time it is allowed' },
  cancelled: { owner: 'user', title: 'the build was cancelled' },
  'out-of-space': { owner: 'service', title: 'the build host ran out of disk space' },
  'worker-lost': { owner: 'service', title: 'the worker building the job stopped answering' },
  'vm-failed': {
    owner: 'service',
    title: 'the virtual machine of the build did not start or stopped answering',
  },
  internal: { owner: 'service', title: 'the service failed' },
} as const satisfies Record<string, { owner: FailureOwner; title: string }>;

export type FailureClass = keyof typeof failureClasses;
export const FAILURE_CLASSES = Object.keys(failureClasses) as FailureClass[];

/**
 * What a class means, for any class a server sends: a newer server may know classes this client does not, and
 * its failure is still shown, by its name.
 */
export function failureTitle(cls: string): string {
  return Object.hasOwn(failureClasses, cls)
    ? failureClasses[cls as FailureClass].title
    : `a kind of failure this version of IMG does not know ("${cls}")`;
}
