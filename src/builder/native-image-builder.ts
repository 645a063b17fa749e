// The native creator behind the ImageBuilder interface: the kickstart is resolved into a recipe (its notes go
// to the log), then the step engine builds it. A kickstart that cannot be built fails before any work starts.
import { type Builder, createNativeBuilder, type NativeBuilderOptions } from './builder.ts';
import { BuildFailure } from './failures.ts';
import { resolveKickstart } from './from-kickstart.ts';
import type { ImageBuilder } from './image-builder.ts';

export function createNativeImageBuilder(options: NativeBuilderOptions = {}, engine?: Builder): ImageBuilder {
  const recipes = engine ?? createNativeBuilder(options);
  return {
    backend: 'native',
    async build(request) {
      const started = performance.now();
      const signal = request.signal ?? new AbortController().signal;
      let resolved: Awaited<ReturnType<typeof resolveKickstart>>;
      try {
        resolved = await resolveKickstart({ ...request, gpgKeyDir: options.gpgKeyDir ?? '' }, signal);
      } catch (error) {
        if (!(error instanceof BuildFailure)) throw error;
        return { ok: false, failure: error.toFailure(), ms: Math.round(performance.now() - started) };
      }
      return recipes.build({
        recipe: resolved.recipe,
        kickstart: resolved.asBuilt,
        notes: resolved.notes,
        ...(request.writeLog !== undefined ? { writeLog: request.writeLog } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      });
    },
  };
}
