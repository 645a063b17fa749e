// The mic backend: runs a real mic (or mic2) where one is installed, behind the same interface as the native builder.
export { findMic, type MicFlavour, type MicInstall } from './find-mic.ts';
export { createMicBuilder, type MicBuilderOptions, type MicImageBuilder } from './mic-builder.ts';
export { splitMicOpts } from './mic-options.ts';
export type { MicBuildRequest } from './mic-request.ts';
