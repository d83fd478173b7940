import { MonitorError, MonitorErrorCode } from '../errors.js';

/**
 * The longest Unix socket path the platform's `sockaddr_un` holds, in bytes, without its NUL:
 * 103 on macOS and the BSDs, 107 on Linux.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

/**
 * Throws unless `path` fits a Unix socket address. Node does not refuse a longer one: it binds
 * and connects to the path cut at the limit, a file nobody asked for, elsewhere.
 * @throws MonitorError CONTROL_PATH_TOO_LONG naming the path, its length and the limit.
 */
export function checkSocketPath(path: string, platform: NodeJS.Platform = process.platform) {
  const bytes = Buffer.byteLength(path);
  const max = maxSocketPathBytes(platform);
  if (bytes > max)
    throw new MonitorError(
      MonitorErrorCode.ControlPathTooLong,
      `${path}: a control socket path may be at most ${max} bytes here, this one is ${bytes}; choose a shorter one (--control PATH)`,
      { data: { bytes, max } },
    );
}
