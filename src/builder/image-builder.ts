// The one interface every caller builds images through (the `imger build` command, the service's worker,
// the tests): a kickstart in, artifacts or a classified failure out, log lines and progress as it goes.
// The native creator and the mic backend both implement it.

import type { BuildEventListener } from './events.ts';
import type { KickstartInput } from './from-kickstart.ts';
import type { BuildOutcome } from './publish.ts';

export interface ImageBuildRequest extends KickstartInput {
  /** False when the caller writes NAME.log itself from the events (see PublishOptions.writeLog). */
  writeLog?: boolean;
  signal?: AbortSignal;
  onEvent?: BuildEventListener;
}

export interface ImageBuilder {
  readonly backend: 'native' | 'mic';
  build(request: ImageBuildRequest): Promise<BuildOutcome>;
}
