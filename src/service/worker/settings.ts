import { defaultCacheDir } from '../../builder/cache.ts';
import type { Config } from '../config/index.ts';
import { BUILD_CHILD } from './run-build.ts';
import type { UploadTarget } from './upload.ts';
import { type AccelChoice, chooseAccel } from './vm/accel.ts';
import type { VmSettings } from './vm/run-build-in-vm.ts';

/** How a worker builds, whichever process runs it (`imger serve`'s local slots or `imger worker`). */
export interface WorkerSettings {
  baseDir: string;
  builder: 'native' | 'mic';
  micOpts: readonly string[];
  timeoutMs: number;
  /** `[worker] post_creation`; empty for none. */
  postCreation: string;
  heartbeatMs: number;
  /** Between SIGTERM and SIGKILL of a build that is cancelled or ran past its deadline. */
  killGraceMs: number;
  /** `[worker] stop_timeout`: the same when the worker itself stops. */
  stopGraceMs: number;
  /** The child entry that builds one job; a test puts a stand-in here. */
  buildEntry: string;
  /** `[worker] upload_url` and `upload_token`; null when base_dir is shared with the web nodes. */
  upload: UploadTarget | null;
  /** `[worker] gpg_key_dir`; '' for none. */
  gpgKeyDir: string;
  /** `[worker] sandbox_id_base`. */
  sandboxIdBase: number;
  /** `[worker] reuse`: a job identical to a DONE or running one shares its files (src/service/worker/reuse.ts). */
  reuse: boolean;
  /** `[worker] use_kvm` and the `vm_` keys: every build in a throwaway VM; null for builds on the host. */
  vm: VmSettings | null;
}

/** The acceleration probe runs once per process, at the first worker that asks (its start). */
let accelChoice: Promise<AccelChoice> | undefined;
const probedAccel = (image: string) => (): Promise<AccelChoice> => {
  accelChoice ??= chooseAccel(image);
  return accelChoice;
};

/**
 * A beat every 2 s keeps a cancel under 10 s (one beat, then the kill grace) at the cost of one small UPDATE per
 * building job; a heartbeat_timeout shorter than a few beats would requeue live builds, so the beat follows it.
 */
export function workerSettings(config: Config): WorkerSettings {
  return {
    baseDir: config.worker.base_dir,
    builder: config.worker.builder,
    micOpts: config.worker.mic_opts,
    timeoutMs: config.worker.timeout * 1000,
    postCreation: config.worker.post_creation,
    heartbeatMs: Math.min(2000, (config.worker.heartbeat_timeout * 1000) / 4),
    killGraceMs: 5000,
    stopGraceMs: config.worker.stop_timeout * 1000,
    buildEntry: BUILD_CHILD,
    upload:
      config.worker.upload_url === ''
        ? null
        : { url: config.worker.upload_url, token: config.worker.upload_token },
    gpgKeyDir: config.worker.gpg_key_dir,
    sandboxIdBase: config.worker.sandbox_id_base,
    reuse: config.worker.reuse,
    vm: config.worker.use_kvm
      ? {
          image: config.worker.vm_image,
          memoryMiB: config.worker.vm_memory,
          cpus: config.worker.vm_cpus,
          network: config.worker.vm_network,
          bootTimeoutMs: config.worker.vm_boot_timeout * 1000,
          cacheDir: defaultCacheDir,
          accel: probedAccel(config.worker.vm_image),
        }
      : null,
  };
}
