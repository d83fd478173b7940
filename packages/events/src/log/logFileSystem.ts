import { type FileHandle, open, readdir, rename } from 'node:fs/promises';

/** An open log file, append-only. The seam between the log and the disk (tests wrap it). */
export interface LogFileHandle {
  /** Current size in bytes. */
  size(): Promise<number>;
  /** Up to the last `bytes` bytes of the file. */
  readTail(bytes: number): Promise<Buffer>;
  /** Appends all of `data` at the end of the file. */
  append(data: Buffer): Promise<void>;
  /** Forces written data to stable storage (fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** What the log needs of a file system. */
export interface LogFileSystem {
  /** Opens `path` for appending, creating it if missing. */
  open(path: string): Promise<LogFileHandle>;
  rename(from: string, to: string): Promise<void>;
  /** File names in `dir` (empty when it does not exist). */
  list(dir: string): Promise<string[]>;
}

class NodeLogFile implements LogFileHandle {
  constructor(private readonly handle: FileHandle) {}

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async readTail(bytes: number): Promise<Buffer> {
    const size = await this.size();
    const length = Math.min(bytes, size);
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(
        buffer,
        done,
        length - done,
        size - length + done,
      );
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }

  async append(data: Buffer): Promise<void> {
    let done = 0;
    // In append mode every write goes to the end; loop in case the OS takes part of it.
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real file system (node:fs/promises). */
export const nodeLogFileSystem: LogFileSystem = {
  open: async (path) => new NodeLogFile(await open(path, 'a+')),
  rename: (from, to) => rename(from, to),
  list: async (dir) => {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
  },
};
