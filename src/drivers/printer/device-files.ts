import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";

/**
 * The file operations a printer behind a device file needs, with the kernel's errors (thrown
 * errors carrying `code`: EAGAIN, EBUSY, ENOENT...). The real file system by default; tests put a
 * simulated usblp device here.
 */
export interface DeviceFiles {
  /** Opens read-write, non-blocking, never as the controlling terminal. */
  open(path: string): number;
  read(fd: number, into: Uint8Array, offset: number, length: number): number;
  write(fd: number, from: Uint8Array, offset: number, length: number): number;
  close(fd: number): void;
}

export const systemDeviceFiles: DeviceFiles = {
  open: (path) => openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY),
  read: (fd, into, offset, length) => readSync(fd, into, offset, length, null),
  // A zero-length write does reach the kernel (write(fd, NULL, 0)): the drain relies on it.
  write: (fd, from, offset, length) => writeSync(fd, from, offset, length),
  close: (fd) => closeSync(fd),
};
